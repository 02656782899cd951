using Meterai.Gateway;
using Meterai.Gateway.Apis;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Health;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Routing;

try
{
    // Content root is the app's folder, so its appsettings.json (listen address, log levels) applies
    // wherever it is started from; the default SQLite ledger still lands in the working directory.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.AddGatewayDefaults();
    builder.AddLedger();
    builder.AddDistributors();
    builder.AddDistributorRouting();
    builder.AddDistributorHealth();
    builder.AddPurchasing();

    var app = builder.Build();
    app.UseGatewayDefaults();
    app.MapHealthApi();
    app.MapPurchasesApi();
    app.MapPurchaseRoute();
    await app.RunAsync();
    return 0;
}
catch (RegistryException ex)
{
    // One line an operator can act on (file, entry, fault), not a stack trace.
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}

/// <summary>Visible to the test host.</summary>
public partial class Program;
