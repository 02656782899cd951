using System.Text.Json;

namespace Meterai.Simulator;

/// <summary>A set of simulated distributors sharing one clock and one random source, with the registry the gateway reads.</summary>
public sealed class SimulatedFleet : IAsyncDisposable
{
    private readonly Dictionary<string, SimulatedDistributor> _byId;

    private SimulatedFleet(IReadOnlyList<SimulatedDistributor> distributors)
    {
        Distributors = distributors;
        _byId = distributors.ToDictionary(d => d.Id, StringComparer.Ordinal);
    }

    /// <summary>All distributors, in the order given.</summary>
    public IReadOnlyList<SimulatedDistributor> Distributors { get; }

    /// <summary>The distributor with this id.</summary>
    public SimulatedDistributor this[string id] =>
        _byId.TryGetValue(id, out var distributor) ? distributor : throw new KeyNotFoundException($"No simulated distributor '{id}'.");

    /// <summary>Starts every distributor (those that start with Down = RefuseConnections get a port but no listener).</summary>
    /// <param name="distributors">One entry per distributor; ids must be unique.</param>
    /// <param name="time">Clock for delays, flapping and stuck-pending orders; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="random">Decides charge-then-fail and stuck-pending orders; seed it for reproducible runs.</param>
    /// <param name="ct">Cancels starting.</param>
    public static Task<SimulatedFleet> StartAsync(
        IEnumerable<SimulatedDistributorOptions> distributors, TimeProvider? time = null, Random? random = null, CancellationToken ct = default) =>
        StartAsync(distributors, time, random, loggerFactory: null, ct);

    /// <summary>Writes {"distributors":[{"id","name","baseUrl","apiKey","maxConcurrency"}]}, the gateway registry format.</summary>
    public string ToRegistryJson() => JsonSerializer.Serialize(
        new Registry(Distributors.Select(d => new RegistryEntry(d.Id, d.Options.Name, d.BaseUrl.ToString(), d.Options.ApiKey, d.Options.Capacity)).ToArray()),
        SimJson.Indented);

    /// <summary>Stops every listener.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var distributor in Distributors)
        {
            await distributor.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal static async Task<SimulatedFleet> StartAsync(
        IEnumerable<SimulatedDistributorOptions> distributors, TimeProvider? time, Random? random, ILoggerFactory? loggerFactory, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(distributors);
        var options = distributors.ToList();
        var duplicate = options.GroupBy(o => o.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Distributor id '{duplicate.Key}' is used more than once.", nameof(distributors));
        }

        var sharedRandom = new SharedRandom(random ?? new Random());
        var clock = time ?? TimeProvider.System;
        var starts = options.Select(o => SimulatedDistributor.StartAsync(o, clock, sharedRandom, loggerFactory, ct)).ToList();
        try
        {
            await Task.WhenAll(starts).ConfigureAwait(false);
        }
        catch
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await start.Result.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        return new SimulatedFleet(starts.Select(s => s.Result).ToArray());
    }
}
