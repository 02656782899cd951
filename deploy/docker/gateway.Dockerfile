# syntax=docker/dockerfile:1
# The gateway: built with the .NET 10 SDK, run on the ASP.NET Core runtime image.
# Build from the repository root: docker build -f deploy/docker/gateway.Dockerfile .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# global.json is left out on purpose: it pins this repository's SDK band, and the image brings
# its own 10.0 SDK.
COPY Directory.Build.props Directory.Packages.props ./
COPY build/ build/
COPY src/Meterai.Simulator/Meterai.Simulator.csproj src/Meterai.Simulator/
COPY src/Meterai.Gateway/Meterai.Gateway.csproj src/Meterai.Gateway/
RUN dotnet restore src/Meterai.Gateway/Meterai.Gateway.csproj
COPY src/ src/
# Embedded in the gateway: the rules page (/oversight/rules) renders it.
COPY docs/oversight-rules.md docs/
RUN dotnet publish src/Meterai.Gateway/Meterai.Gateway.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The SQLite ledger and the data-protection key ring live in /data (a volume in compose).
RUN mkdir -p /data && chown "$APP_UID" /data
USER $APP_UID
ENV ConnectionStrings__Ledger="Data Source=/data/meterai-ledger.db" \
    Auth__DataProtectionKeysPath=/data/keys
EXPOSE 8080
ENTRYPOINT ["dotnet", "/app/Meterai.Gateway.dll"]
# appsettings.json listens on 127.0.0.1; inside a container it must be every interface.
CMD ["--urls", "http://0.0.0.0:8080"]
