using System.Reflection;
using Xunit.Abstractions;

namespace Meterai.Gateway.Tests;

/// <summary>
/// The gateway's namespaces, as a graph of which one's types name which other's in their signatures
/// (base types, interfaces, fields, properties, constructor and method parameters and results, generic
/// arguments), and the cycles in it. Method bodies are not read: a signature is where one feature
/// depends on another's types.
/// </summary>
public sealed class NamespaceCycleTests(ITestOutputHelper output)
{
    private const BindingFlags Members = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>
    /// The one cycle left. Ledger → Purchases: <c>PurchaseCompletion</c> (Ledger/PurchaseLedger.cs) carries the
    /// answer as a <c>PurchaseView</c>. Purchases → Oversight → Reconciliation → Purchases: the purchase path counts
    /// refusals into Oversight's <c>RefusalCounter</c>, Oversight reads Reconciliation's <c>UnresolvedPurchases</c>,
    /// and Reconciliation looks orders up with Purchases' <c>OrderLookup</c>. Probing is in it through
    /// Oversight → Probing → Ledger. Cutting it means changing PurchaseLedger.cs and Reconciliation/, which
    /// other work is rewriting.
    /// </summary>
    private static readonly string[] KnownCycle =
    [
        "Meterai.Gateway.Ledger", "Meterai.Gateway.Oversight", "Meterai.Gateway.Probing", "Meterai.Gateway.Purchases", "Meterai.Gateway.Reconciliation",
    ];

    [Fact]
    public void GatewayNamespaces_SignatureReferences_AtMostTheOneKnownCycle()
    {
        var (graph, why) = Graph(typeof(Program).Assembly);

        var cycles = Cycles(graph);

        foreach (var cycle in cycles)
        {
            output.WriteLine(string.Join(", ", cycle));
            foreach (var from in cycle)
            {
                foreach (var to in graph[from].Where(cycle.Contains))
                {
                    output.WriteLine($"  {from} -> {to}: {string.Join(", ", why[(from, to)].Take(4))}");
                }
            }
        }

        Assert.True(cycles.Count <= 1, $"{cycles.Count} namespace cycles: {string.Join(" | ", cycles.Select(c => string.Join(", ", c)))}");
        Assert.All(cycles, cycle => Assert.Equal(KnownCycle, cycle));
    }

    [Fact]
    public void Cycles_TwoLoopsAndATail_FindsEachLoopOnce()
    {
        var graph = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal)
        {
            ["a"] = ["b"], ["b"] = ["a", "c"], ["c"] = ["d"], ["d"] = ["e"], ["e"] = ["c"], ["f"] = ["a"],
        };

        var cycles = Cycles(graph);

        Assert.Equal([["c", "d", "e"], ["a", "b"]], cycles);
    }

    /// <summary>Namespace → the namespaces its types name, and for each edge the type pairs that make it.</summary>
    private static (Dictionary<string, SortedSet<string>> Graph, Dictionary<(string, string), SortedSet<string>> Why) Graph(Assembly assembly)
    {
        var graph = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var reasons = new Dictionary<(string, string), SortedSet<string>>();
        foreach (var type in assembly.GetTypes())
        {
            var from = NamespaceOf(type);
            if (from is null)
            {
                continue;
            }

            var edges = graph.TryGetValue(from, out var set) ? set : graph[from] = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var referenced in Referenced(type).SelectMany(Flatten))
            {
                if (NamespaceOf(referenced) is { } to && to != from)
                {
                    edges.Add(to);
                    var why = reasons.TryGetValue((from, to), out var w) ? w : reasons[(from, to)] = new SortedSet<string>(StringComparer.Ordinal);
                    why.Add($"{Outer(type).Name}→{referenced.Name}");
                }
            }
        }

        return (graph, reasons);
    }

    /// <summary>The gateway namespace a type belongs to; compiler-generated and nested types count as their outermost type's.</summary>
    private static string? NamespaceOf(Type type)
    {
        var outer = Outer(type);
        return outer.Assembly == typeof(Program).Assembly && outer.Namespace is { } ns && ns.StartsWith("Meterai.Gateway", StringComparison.Ordinal) ? ns : null;
    }

    private static Type Outer(Type type)
    {
        while (type.DeclaringType is { } declaring)
        {
            type = declaring;
        }

        return type;
    }

    private static IEnumerable<Type> Referenced(Type type)
    {
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var contract in type.GetInterfaces())
        {
            yield return contract;
        }

        foreach (var field in type.GetFields(Members))
        {
            yield return field.FieldType;
        }

        foreach (var property in type.GetProperties(Members))
        {
            yield return property.PropertyType;
        }

        foreach (var method in type.GetMethods(Members).Cast<MethodBase>().Concat(type.GetConstructors(Members)))
        {
            if (method is MethodInfo info)
            {
                yield return info.ReturnType;
            }

            foreach (var parameter in method.GetParameters())
            {
                yield return parameter.ParameterType;
            }
        }
    }

    private static IEnumerable<Type> Flatten(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var element in Flatten(type.GetElementType()!))
            {
                yield return element;
            }

            yield break;
        }

        if (type.IsGenericParameter)
        {
            yield break;
        }

        yield return type;
        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments().SelectMany(Flatten))
            {
                yield return argument;
            }
        }
    }

    /// <summary>Every strongly connected set of two or more namespaces (Tarjan), each sorted, largest first.</summary>
    private static List<List<string>> Cycles(Dictionary<string, SortedSet<string>> graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var found = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in graph.TryGetValue(node, out var edges) ? edges : [])
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next) && index.TryGetValue(next, out var seen))
                {
                    low[node] = Math.Min(low[node], seen);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                if (component.Count > 1)
                {
                    found.Add(component.Order(StringComparer.Ordinal).ToList());
                }
            }
        }

        foreach (var node in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return found.OrderByDescending(c => c.Count).ToList();
    }
}
