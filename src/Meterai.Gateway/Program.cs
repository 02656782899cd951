using Meterai.Gateway;
using Meterai.Gateway.Admission;
using Meterai.Gateway.Apis;
using Meterai.Gateway.Auth;
using Meterai.Gateway.Capacity;
using Meterai.Gateway.Cluster;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Health;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Observability;
using Meterai.Gateway.Oversight;
using Meterai.Gateway.Probing;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Reconciliation;
using Meterai.Gateway.Routing;
using Meterai.Gateway.Scheduling;
using Meterai.Gateway.Settings;
using Meterai.Gateway.Status;

try
{
    // Content root is the app's folder, so its appsettings.json (listen address, log levels) applies
    // wherever it is started from; the default SQLite ledger still lands in the working directory.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    InlineSocketCompletions.PreferUnlessSet(builder.Configuration); // before the first socket: the runtime reads it once
    builder.AddGatewayDefaults();
    builder.AddGatewayMetrics();
    builder.AddLedger();
    builder.AddDistributors();
    builder.AddCapacity();
    builder.AddDistributorRouting();
    builder.AddDistributorHealth();
    builder.AddProbing();
    builder.AddPurchasing();
    builder.AddAdmission();
    builder.AddReconciliation();
    builder.AddOversight();
    builder.AddOversightAuth();
    builder.AddPublicStatus();
    builder.AddScheduling(ProbingExtensions.ScheduleJobs, ReconciliationExtensions.ScheduleJobs, OversightExtensions.ScheduleJobs);
    builder.AddCluster();
    builder.AddGatewayOpenApi();

    var app = builder.Build();
    app.UseSingleGatewayLedger();
    app.UseGatewayDefaults();
    app.UseOversightAuth();
    app.MapHealthApi();
    app.MapMetricsApi();
    app.MapOpenApiDocument();
    app.MapStatusApi();
    app.MapPurchasesApi();
    app.MapDistributorCluster();
    app.MapOversightApi();
    app.MapOversightPages();
    app.MapSignInPages();
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ConfigurationFault.IsOwnProcess && ConfigurationFault.TryDescribe(ex, out var line))
{
    // One line an operator can act on (the key and its range, or the registry's file, entry and fault), not a stack trace.
    await Console.Error.WriteLineAsync(line);
    return ConfigurationFault.ExitCode;
}
catch (LedgerInUseException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}

/// <summary>Visible to the test host.</summary>
public partial class Program;
