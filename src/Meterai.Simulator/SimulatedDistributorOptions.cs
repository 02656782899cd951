namespace Meterai.Simulator;

/// <summary>How one simulated distributor is set up. Behaviour switches live in <see cref="Behavior"/> and may change at runtime.</summary>
public sealed class SimulatedDistributorOptions
{
    /// <summary>Registry id, e.g. "d01".</summary>
    public required string Id { get; init; }

    /// <summary>Company name shown in the registry.</summary>
    public string Name { get; init; } = "";

    /// <summary>When set, every request (incl. /health) needs <c>Authorization: Bearer &lt;key&gt;</c>, else 401. Never logged.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Address the listener binds to.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>0 = ephemeral; the same port is reused when the listener comes back after RefuseConnections.</summary>
    public int Port { get; init; }

    /// <summary>E-Meterai available at start.</summary>
    public int InitialStock { get; init; } = 1_000_000;

    /// <summary>Rupiah per e-Meterai.</summary>
    public int UnitPrice { get; init; } = 10_000;

    /// <summary>Concurrent POST /orders served at full speed.</summary>
    public int Capacity { get; init; } = 32;

    /// <summary>Time to serve one order within capacity.</summary>
    public TimeSpan ServiceTime { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Past Capacity × CollapseFactor concurrent orders the distributor collapses (503 or hang, see <see cref="DistributorBehavior.OverloadFailure"/>).</summary>
    public double CollapseFactor { get; init; } = 2.0;

    /// <summary>How long a collapsed distributor holds an answer in <see cref="OverloadFailure.Hang"/> mode.</summary>
    public TimeSpan HangTime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Runtime switches.</summary>
    public DistributorBehavior Behavior { get; init; } = new();

    /// <summary>The same distributor on another endpoint (the command line overrides host and port of configured fleets).</summary>
    internal SimulatedDistributorOptions WithEndpoint(string host, int port) => new()
    {
        Id = Id,
        Name = Name,
        ApiKey = ApiKey,
        Host = host,
        Port = port,
        InitialStock = InitialStock,
        UnitPrice = UnitPrice,
        Capacity = Capacity,
        ServiceTime = ServiceTime,
        CollapseFactor = CollapseFactor,
        HangTime = HangTime,
        Behavior = Behavior,
    };

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Id))
        {
            throw new ArgumentException("A distributor needs an id.");
        }

        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"Distributor {Id}: port must be 0..65535.");
        }

        if (InitialStock < 0 || UnitPrice < 0)
        {
            throw new ArgumentException($"Distributor {Id}: stock and price must not be negative.");
        }

        if (Capacity < 1 || CollapseFactor < 1)
        {
            throw new ArgumentException($"Distributor {Id}: capacity must be at least 1 and the collapse factor at least 1.");
        }

        if (ServiceTime < TimeSpan.Zero || HangTime < TimeSpan.Zero)
        {
            throw new ArgumentException($"Distributor {Id}: times must not be negative.");
        }
    }
}
