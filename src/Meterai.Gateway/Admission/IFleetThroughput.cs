namespace Meterai.Gateway.Admission;

/// <summary>Orders per second the fleet can serve now, from learned limits and measured latencies; 0 when unknown.</summary>
internal interface IFleetThroughput
{
    double OrdersPerSecond { get; }
}
