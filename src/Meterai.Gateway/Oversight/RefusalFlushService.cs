using Meterai.Gateway.Purchases;

namespace Meterai.Gateway.Oversight;

/// <summary>On a graceful stop, stores the refusals counted since the last <see cref="HourlyEvidenceJob"/> run.</summary>
internal sealed partial class RefusalFlushService(RefusalCounter refusals, HourlyEvidenceStore store, ILogger<RefusalFlushService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var counts = refusals.Take();
        try
        {
            await store.AddRefusalsAsync(counts, cancellationToken);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or OperationCanceledException)
        {
            LogLost(logger, counts.Values.Sum(), ex.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} refusals counted since the last evidence run could not be stored at shutdown ({Error})")]
    private static partial void LogLost(ILogger logger, long count, string error);
}
