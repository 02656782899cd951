namespace Meterai.Simulator;

/// <summary>Source-generated log messages. No API key ever appears here.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Distributor {DistributorId} listening on {BaseUrl}")]
    public static partial void ListenerStarted(ILogger logger, string distributorId, Uri baseUrl);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Distributor {DistributorId} stopped listening on port {Port} (refusing connections)")]
    public static partial void ListenerStopped(ILogger logger, string distributorId, int port);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Distributor {DistributorId} could not change its listener")]
    public static partial void ListenerChangeFailed(ILogger logger, string distributorId, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Distributor {DistributorId} collapsed at {Concurrency} concurrent orders: 503")]
    public static partial void OverloadRejected(ILogger logger, string distributorId, int concurrency);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Distributor {DistributorId} charged order {OrderId}, then answered {Answer}")]
    public static partial void ChargedThenFailed(ILogger logger, string distributorId, string orderId, FailureAnswer answer);
}
