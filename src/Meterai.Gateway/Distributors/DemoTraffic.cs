using System.ComponentModel.DataAnnotations;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Distributors;

/// <summary>Synthetic applicants for the demo fleet. Bound from <c>Demo</c>.</summary>
internal sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Purchases per second the demo applicants make; 0 switches them off. Default: 2.</summary>
    [Range(0d, 1000d)]
    public double PurchasesPerSecond { get; set; } = 2;
}

/// <summary>
/// With the demo fleet only: applicants buying through the gateway's own public endpoint, so that
/// routing, flags, reports and metrics show real data from the first minute (docs/api/gateway-api.md).
/// Over HTTP on purpose: they exercise exactly what a real applicant does.
/// </summary>
internal sealed partial class DemoTraffic(
    DistributorFleet fleet,
    IServer server,
    IHttpClientFactory httpClients,
    IOptions<DemoOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<DemoTraffic> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var rate = options.Value.PurchasesPerSecond;
        await fleet.WhenLoaded.WaitAsync(stoppingToken);
        if (!fleet.IsDemo || rate <= 0 || !await StartedAsync(stoppingToken))
        {
            return;
        }

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null)
        {
            return;
        }

        using var client = httpClients.CreateClient(nameof(DemoTraffic));
        client.BaseAddress = new Uri(address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal));
        LogStarted(logger, rate);

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / rate), time);
        var sequence = 0;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var number = ++sequence;
            _ = BuyAsync(client, number, stoppingToken);
        }
    }

    private async Task BuyAsync(HttpClient client, int number, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/purchases")
            {
                Content = JsonContent.Create(new { quantity = 1 + (number % 3), applicantRef = $"DEMO-CPNS-{number:D8}" }),
            };
            request.Headers.Add("Idempotency-Key", $"demo-{time.GetUtcNow().ToUnixTimeSeconds()}-{number:D8}");
            using var response = await client.SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            // A demo applicant giving up is part of the demo, not a fault of the gateway.
        }
    }

    private async Task<bool> StartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        try
        {
            await started.Task.WaitAsync(stoppingToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo applicants are buying {Rate} e-Meterai purchases a second through the gateway (Demo:PurchasesPerSecond; 0 switches them off)")]
    private static partial void LogStarted(ILogger logger, double rate);
}
