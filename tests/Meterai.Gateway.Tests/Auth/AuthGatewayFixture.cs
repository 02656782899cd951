using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Auth;

/// <summary>One real gateway (Program) with the test keys, shared by the tests of a class.</summary>
public sealed class AuthGatewayFixture : IAsyncLifetime
{
    internal GatewayHarness Gateway { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], OversightKeys.Settings());

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}
