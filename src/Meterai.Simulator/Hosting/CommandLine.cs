using System.Globalization;
using System.Text.Json;

namespace Meterai.Simulator;

internal sealed class CommandLineException(string message) : Exception(message);

/// <summary>The flags of the fleet program; see <see cref="Usage"/>.</summary>
internal sealed record CommandLine(
    IReadOnlyList<SimulatedDistributorOptions> Distributors,
    string? RegistryOut)
{
    public const string Usage = """
        Usage: Meterai.Simulator [fleet] [--host H] [--base-port P] [--registry-out FILE]
          fleet (one of):
            --demo                       the 26 distributors of 2024, 10 selling (default)
            --count N [--capacity C] [--service-time-ms S] [--stock K]
                                         N identical healthy distributors, for benchmarks
            --config FILE                a JSON array (or {"distributors": [...]}) of distributor options
          --host H                       address to listen on (default 127.0.0.1)
          --base-port P                  distributor i listens on P+i-1 (default 9001; 0 = ephemeral)
          --registry-out FILE            write the gateway registry JSON there
        """;

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        string? fleet = null;
        int? count = null, capacity = null, serviceTimeMs = null, stock = null;
        string? config = null, host = null, registryOut = null;
        var basePort = 9001;

        void SetFleet(string flag)
        {
            if (fleet is not null && fleet != flag)
            {
                throw new CommandLineException($"{fleet} and {flag} cannot be combined.");
            }

            fleet = flag;
        }

        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            string Value() => i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                ? args[++i]
                : throw new CommandLineException($"{flag} needs a value.");
            int Number(int min, int max)
            {
                var text = Value();
                return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                    ? n
                    : throw new CommandLineException($"{flag} must be a whole number from {min} to {max}, not '{text}'.");
            }

            switch (flag)
            {
                case "--demo":
                    SetFleet(flag);
                    break;
                case "--count":
                    SetFleet(flag);
                    count = Number(1, 1000);
                    break;
                case "--config":
                    SetFleet(flag);
                    config = Value();
                    break;
                case "--capacity":
                    capacity = Number(1, 100_000);
                    break;
                case "--service-time-ms":
                    serviceTimeMs = Number(0, 3_600_000);
                    break;
                case "--stock":
                    stock = Number(0, int.MaxValue);
                    break;
                case "--host":
                    host = Value();
                    break;
                case "--base-port":
                    basePort = Number(0, 65535);
                    break;
                case "--registry-out":
                    registryOut = Value();
                    break;
                default:
                    throw new CommandLineException($"Unknown option '{flag}'. Use --help for the list.");
            }
        }

        if (fleet != "--count" && (capacity ?? serviceTimeMs ?? stock) is not null)
        {
            throw new CommandLineException("--capacity, --service-time-ms and --stock go with --count.");
        }

        IReadOnlyList<SimulatedDistributorOptions> distributors = fleet switch
        {
            "--count" => Uniform(count!.Value, capacity, serviceTimeMs, stock),
            "--config" => ReadConfig(config!),
            _ => DemoFleet.Create(),
        };

        var placed = new List<SimulatedDistributorOptions>(distributors.Count);
        for (var i = 0; i < distributors.Count; i++)
        {
            var d = distributors[i];

            // A port fixed in a config file wins; everything else is laid out from the base port.
            var port = d.Port != 0 ? d.Port : basePort == 0 ? 0 : basePort + i;
            if (port > 65535)
            {
                throw new CommandLineException($"--base-port {basePort} leaves no port for distributor {d.Id}.");
            }

            placed.Add(d.WithEndpoint(host ?? d.Host, port));
        }

        return new CommandLine(placed, registryOut);
    }

    private static List<SimulatedDistributorOptions> Uniform(int count, int? capacity, int? serviceTimeMs, int? stock)
    {
        var defaults = new SimulatedDistributorOptions { Id = "defaults" };
        return Enumerable.Range(1, count).Select(i => new SimulatedDistributorOptions
        {
            Id = string.Create(CultureInfo.InvariantCulture, $"d{i:D2}"),
            Name = string.Create(CultureInfo.InvariantCulture, $"PT Bench Meterai {i:D2}"),
            Capacity = capacity ?? defaults.Capacity,
            ServiceTime = serviceTimeMs is { } ms ? TimeSpan.FromMilliseconds(ms) : defaults.ServiceTime,
            InitialStock = stock ?? defaults.InitialStock,
        }).ToList();
    }

    private static List<SimulatedDistributorOptions> ReadConfig(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CommandLineException($"--config: cannot read '{path}': {ex.Message}");
        }

        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("distributors", out var inner))
            {
                root = inner;
            }

            var list = root.Deserialize<List<SimulatedDistributorOptions>>(SimJson.Options);
            if (list is null || list.Count == 0)
            {
                throw new CommandLineException($"--config: '{path}' lists no distributors.");
            }

            foreach (var options in list)
            {
                options.Validate();
            }

            return list;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            throw new CommandLineException($"--config: '{path}' is not a valid fleet: {ex.Message}");
        }
    }
}
