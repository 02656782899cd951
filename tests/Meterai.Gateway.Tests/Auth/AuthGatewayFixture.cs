using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Auth;

/// <summary>One gateway with the test keys, shared by the read-only tests of a class.</summary>
public sealed class AuthGatewayFixture : IAsyncLifetime
{
    internal WiredGateway Gateway { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Gateway = await WiredGateway.StartAsync([Fleets.Seller("d01")], OversightKeys.Settings());

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}
