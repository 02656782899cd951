using Xunit.Abstractions;

namespace Meterai.Gateway.Tests.Architecture;

/// <summary>
/// The layers of docs/architecture.md ("Layers and their direction"), checked on the compiled gateway's IL
/// including method bodies: no namespace references one in a higher layer, and no namespaces form a cycle.
/// </summary>
public sealed class LayerTests(ITestOutputHelper output)
{
    /// <summary>Namespace (after "Meterai.Gateway.") → layer; a namespace may only reference its own layer or lower ones.</summary>
    private static readonly Dictionary<string, int> Layers = new(StringComparer.Ordinal)
    {
        // 4 edges: hosting, endpoints, sign-in, the public status page
        [""] = 4, ["Apis"] = 4, ["Status"] = 4, ["Auth"] = 4, ["Proxies"] = 4,
        // 3 features, each with its own jobs
        ["Purchases"] = 3, ["Admission"] = 3, ["Oversight"] = 3, ["Reconciliation"] = 3, ["Probing"] = 3, ["Cluster"] = 3,
        // 2 foundations
        ["Ledger"] = 2, ["Distributors"] = 2, ["Capacity"] = 2, ["Health"] = 2, ["Routing"] = 2, ["LoadBalancing"] = 2,
        ["Resilience"] = 2, ["Observability"] = 2, ["Scheduling"] = 2, ["Pages"] = 2, ["Server"] = 2,
        // 1 shared kernel
        ["Kernel"] = 1, ["Settings"] = 1,
    };

    /// <summary>
    /// Edges that still break the rules (upward or in a cycle), each a debt to pay by moving a type down or
    /// giving the lower layer an interface it owns. The test fails when one is added, and when one is paid
    /// but still listed, so the list only shrinks.
    /// </summary>
    private static readonly string[] KnownDebt =
    [
    ];

    [Fact]
    public void GatewayNamespaces_IlReferences_PointDownAndFormNoCycle()
    {
        var graph = NamespaceGraph.Read(typeof(Program).Assembly.Location);
        Print(graph);

        var unknown = graph.Edges.Keys.Select(Short).Where(n => !Layers.ContainsKey(n)).ToList();
        Assert.True(unknown.Count == 0, $"namespaces without a layer: {string.Join(", ", unknown)}");

        var cycles = NamespaceGraph.Cycles(graph.Edges);
        var inCycle = cycles.Select(c => c.ToHashSet(StringComparer.Ordinal)).ToList();
        var broken = graph.AllEdges
            .Where(e => Layers[Short(e.To)] > Layers[Short(e.From)] || inCycle.Any(c => c.Contains(e.From) && c.Contains(e.To)))
            .Select(e => $"{Short(e.From)} -> {Short(e.To)}")
            .ToList();

        var added = broken.Except(KnownDebt).ToList();
        var paid = KnownDebt.Except(broken).ToList();
        Assert.True(added.Count == 0, $"edges upward or in a cycle: {string.Join("; ", added.Select(e => $"{e} ({Reasons(graph, e)})"))}");
        Assert.True(paid.Count == 0, $"paid debt still listed in KnownDebt: {string.Join("; ", paid)}");
    }

    [Fact]
    public void Cycles_TwoLoopsAndATail_FindsEachLoopOnce()
    {
        var graph = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal)
        {
            ["a"] = ["b"], ["b"] = ["a", "c"], ["c"] = ["d"], ["d"] = ["e"], ["e"] = ["c"], ["f"] = ["a"],
        };

        var cycles = NamespaceGraph.Cycles(graph);

        Assert.Equal([["c", "d", "e"], ["a", "b"]], cycles);
    }

    [Fact]
    public void Read_MethodBodyOnlyReference_IsAnEdge()
    {
        // Program's top-level statements call the feature registrations only inside a method body.
        var graph = NamespaceGraph.Read(typeof(Program).Assembly.Location);

        Assert.Contains("Meterai.Gateway.Purchases", graph.Edges[NamespaceGraph.Root]);
    }

    private static string Short(string ns) => ns == NamespaceGraph.Root ? "" : ns[(NamespaceGraph.Root.Length + 1)..];

    private static string Reasons(NamespaceGraph graph, string edge)
    {
        var parts = edge.Split(" -> ");
        var key = (Long(parts[0]), Long(parts[1]));
        return string.Join(", ", graph.Why[key].Take(5));
    }

    private static string Long(string shortName) => shortName.Length == 0 ? NamespaceGraph.Root : $"{NamespaceGraph.Root}.{shortName}";

    private void Print(NamespaceGraph graph)
    {
        foreach (var (from, to) in graph.AllEdges)
        {
            var direction = Layers.GetValueOrDefault(Short(to)) > Layers.GetValueOrDefault(Short(from)) ? " UP" : "";
            output.WriteLine($"{Short(from)} -> {Short(to)}{direction}: {string.Join(", ", graph.Why[(from, to)].Take(6))}");
        }

        var cycles = NamespaceGraph.Cycles(graph.Edges);
        output.WriteLine($"{cycles.Count} cycle(s)");
        foreach (var cycle in cycles)
        {
            output.WriteLine(string.Join(", ", cycle.Select(Short)));
        }
    }
}
