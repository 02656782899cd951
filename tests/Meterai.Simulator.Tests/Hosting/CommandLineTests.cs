namespace Meterai.Simulator.Tests.Hosting;

public sealed class CommandLineTests
{
    [Fact]
    public void Parse_NoFlags_DemoFleetFromPort9001()
    {
        var parsed = CommandLine.Parse([]);

        Assert.Equal(DemoFleet.Registered, parsed.Distributors.Count);
        Assert.Equal(9001, parsed.Distributors[0].Port);
        Assert.Equal(9026, parsed.Distributors[^1].Port);
        Assert.All(parsed.Distributors, d => Assert.Equal("127.0.0.1", d.Host));
        Assert.Equal(DownMode.RefuseConnections, parsed.Distributors[19].Behavior.Down);
    }

    [Fact]
    public void Parse_Count_UniformDistributors()
    {
        var parsed = CommandLine.Parse(["--count", "3", "--capacity", "8", "--service-time-ms", "15", "--stock", "50", "--base-port", "0", "--registry-out", "/tmp/r.json"]);

        Assert.Equal(3, parsed.Distributors.Count);
        Assert.All(parsed.Distributors, d =>
        {
            Assert.Equal(8, d.Capacity);
            Assert.Equal(TimeSpan.FromMilliseconds(15), d.ServiceTime);
            Assert.Equal(50, d.InitialStock);
            Assert.Equal(0, d.Port);
        });
        Assert.Equal("/tmp/r.json", parsed.RegistryOut);
    }

    [Fact]
    public void Parse_Config_ReadsOptionsAndBehavior()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """
                {"distributors": [
                  {"id": "x1", "name": "PT X", "capacity": 4, "serviceTime": "00:00:00.050", "port": 9500,
                   "behavior": {"down": "ServiceUnavailable", "chargeThenFailRate": 0.25, "stuckPendingOutcome": "failed"}},
                  {"id": "x2"}
                ]}
                """);

            var parsed = CommandLine.Parse(["--config", path, "--base-port", "9600", "--host", "127.0.0.1"]);

            Assert.Equal(2, parsed.Distributors.Count);
            var x1 = parsed.Distributors[0];
            Assert.Equal(9500, x1.Port);
            Assert.Equal(4, x1.Capacity);
            Assert.Equal(TimeSpan.FromMilliseconds(50), x1.ServiceTime);
            Assert.Equal(DownMode.ServiceUnavailable, x1.Behavior.Down);
            Assert.Equal(0.25, x1.Behavior.ChargeThenFailRate);
            Assert.Equal(OrderStatus.Failed, x1.Behavior.StuckPendingOutcome);
            Assert.Equal(9601, parsed.Distributors[1].Port);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--count")]
    [InlineData("--count", "zero")]
    [InlineData("--demo", "--count", "2")]
    [InlineData("--capacity", "4")]
    [InlineData("--base-port", "70000")]
    [InlineData("--config", "/nonexistent/fleet.json")]
    public async Task Main_BadFlags_ReturnsExitCode2(params string[] args)
    {
        Assert.Throws<CommandLineException>(() => CommandLine.Parse(args));
        Assert.Equal(2, await SimulatorProgram.Main(args));
    }
}
