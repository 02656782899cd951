using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Meterai.Gateway.Health;
using Meterai.Gateway.Probing;
using Meterai.Gateway.Settings;

namespace Meterai.Gateway.Tests.Settings;

public sealed class OptionRangesTests
{
    /// <summary>Every options class of the gateway: the classes with a <c>Section</c> constant.</summary>
    public static TheoryData<Type> OptionsClasses() => [.. Types()];

    private static IEnumerable<Type> Types() =>
        typeof(Program).Assembly.GetTypes()
            .Where(t => t.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } && t.GetConstructor(Type.EmptyTypes) is not null);

    [Theory]
    [MemberData(nameof(OptionsClasses))]
    public void OptionsClass_EveryNumber_DeclaresItsRangeAndItsDefaultIsInside(Type options)
    {
        var numbers = options.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && (p.PropertyType == typeof(int) || p.PropertyType == typeof(double) || p.PropertyType == typeof(double[])))
            .ToList();
        var section = (string)options.GetField("Section")!.GetRawConstantValue()!;

        Assert.All(numbers, p => Assert.NotNull(p.GetCustomAttribute<RangeAttribute>()));
        var check = typeof(OptionRanges).GetMethod(nameof(OptionRanges.Check))!.MakeGenericMethod(options);
        Assert.Empty((IReadOnlyList<string>)check.Invoke(null, [section, Activator.CreateInstance(options)])!);
    }

    [Fact]
    public void OptionsClasses_Always_IncludeEveryFeature()
    {
        var sections = Types().Select(t => (string)t.GetField("Section")!.GetRawConstantValue()!).ToHashSet();

        Assert.Superset(
            new HashSet<string> { "Admission", "Distributors", "Probing", "PassiveHealth", "Purchasing", "Reconciliation", "Oversight", "Scheduling", "Auth", "Ledger", "Metrics", "Demo", "TrustedProxies" },
            sections);
    }

    [Theory]
    [InlineData(0, "Probing:IntervalSeconds must be from 1 to 86400 (it is 0).")]
    [InlineData(double.NaN, "Probing:IntervalSeconds must be from 1 to 86400 (it is NaN).")]
    [InlineData(1e300, "Probing:IntervalSeconds must be from 1 to 86400 (it is 1E+300).")]
    public void Check_ValueOutOfRange_OneSentenceNamingKeyRangeAndValue(double interval, string expected)
    {
        var failures = OptionRanges.Check(ProbingOptions.Section, new ProbingOptions { IntervalSeconds = interval });

        Assert.Equal(expected, Assert.Single(failures));
    }

    [Fact]
    public void Find_ArrayEntryKey_GivesThePropertysRange()
    {
        var range = OptionRanges.Find("Reconciliation:BackoffSeconds:3");

        Assert.NotNull(range);
        Assert.Equal("from 0 to 86400", OptionRanges.Describe(range));
    }
}
