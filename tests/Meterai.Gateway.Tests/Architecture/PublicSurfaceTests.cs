namespace Meterai.Gateway.Tests.Architecture;

/// <summary>
/// The gateway is an executable: nothing outside it links against its types, except the tests and the
/// benchmarks, which see its internals (InternalsVisibleTo). So its types are internal, and only what
/// must be public is.
/// </summary>
public sealed class PublicSurfaceTests
{
    /// <summary>
    /// <c>Program</c> is public for <c>WebApplicationFactory&lt;Program&gt;</c>; the two enums are parameters of
    /// xunit theories, whose methods must be public.
    /// </summary>
    private static readonly string[] AllowedPublic = ["Meterai.Gateway.Distributors.AttemptFailure", "Meterai.Gateway.Distributors.AttemptOutcome", "Program"];

    [Fact]
    public void GatewayAssembly_ExportedTypes_OnlyTheAllowList()
    {
        var exported = typeof(Program).Assembly.GetExportedTypes()
            .Select(t => t.FullName!)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(AllowedPublic, exported);
    }
}
