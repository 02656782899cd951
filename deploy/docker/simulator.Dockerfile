# syntax=docker/dockerfile:1
# The distributor simulator fleet (src/Meterai.Simulator): by default the 26 distributors of the
# demo on ports 9001-9026. Build from the repository root:
#   docker build -f deploy/docker/simulator.Dockerfile .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY src/Meterai.Simulator/Meterai.Simulator.csproj src/Meterai.Simulator/
RUN dotnet restore src/Meterai.Simulator/Meterai.Simulator.csproj
COPY src/Meterai.Simulator/ src/Meterai.Simulator/
RUN dotnet publish src/Meterai.Simulator/Meterai.Simulator.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# Where --registry-out writes the gateway's registry (a volume shared with the gateway in compose).
RUN mkdir -p /registry && chown "$APP_UID" /registry
USER $APP_UID
EXPOSE 9001-9026
ENTRYPOINT ["dotnet", "/app/Meterai.Simulator.dll"]
CMD ["--demo", "--host", "0.0.0.0", "--base-port", "9001"]
