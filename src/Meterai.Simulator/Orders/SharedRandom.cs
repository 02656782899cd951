namespace Meterai.Simulator;

/// <summary>
/// The injected Random is shared by every distributor of a fleet (one seed makes a whole run reproducible),
/// but Random is not thread-safe.
/// </summary>
internal sealed class SharedRandom(Random random)
{
    private readonly Lock _gate = new();

    public double NextDouble()
    {
        lock (_gate)
        {
            return random.NextDouble();
        }
    }
}
