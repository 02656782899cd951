using Meterai.Simulator;

namespace Meterai.Gateway.Tests.Testing;

/// <summary>Simulated distributors for tests: fast by default, so tests wait on behaviour, not on service time.</summary>
internal static class Fleets
{
    public static SimulatedDistributorOptions Seller(string id, int capacity = 16, TimeSpan? serviceTime = null, int stock = 1_000_000, string? apiKey = null, int unitPrice = 10_000) => new()
    {
        Id = id,
        Name = $"PT Uji {id}",
        Capacity = capacity,
        ServiceTime = serviceTime ?? TimeSpan.FromMilliseconds(1),
        InitialStock = stock,
        ApiKey = apiKey,
        UnitPrice = unitPrice,
    };
}
