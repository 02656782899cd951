using Dapper;
using Npgsql;

namespace Meterai.Gateway.Tests.Testing;

/// <summary>
/// The PostgreSQL the tests run against: <c>METERAI_TEST_POSTGRES</c> when set (CI's <c>.ci/run</c>
/// starts one and sets it), otherwise a private cluster this test process initdb's and starts
/// itself on a free loopback port, as the <c>postgres</c> user when running as root, and stops
/// when the process exits. Every caller gets a database of its own, so tests stay independent.
/// </summary>
/// <remarks>
/// A process-wide lazy server rather than an xunit collection fixture: a collection fixture puts
/// every test that uses it into one collection, which would run all PostgreSQL tests one at a time.
/// </remarks>
internal static class PostgresServer
{
    public const string EnvironmentVariable = "METERAI_TEST_POSTGRES";

    private static readonly Lazy<Task<string>> Admin = new(StartAsync);

    /// <summary>A connection string to a new, empty database.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var admin = await Admin.Value;
        var name = $"t_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync($"CREATE DATABASE {name}");
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = 40 }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        using (var pooled = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        await using var connection = new NpgsqlConnection(await Admin.Value);
        await connection.OpenAsync();
        await connection.ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    private static async Task<string> StartAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            return given;
        }

        var bin = FindBinaries() ?? throw new InvalidOperationException(
            $"PostgreSQL is needed for these tests: set {EnvironmentVariable} to a connection string, or install PostgreSQL 15 (initdb and pg_ctl on PATH, in /usr/local/bin or /usr/lib/postgresql/*/bin).");
        var directory = Directory.CreateTempSubdirectory("meterai-test-postgres-").FullName;
        var data = Path.Combine(directory, "data");
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            // initdb and postgres refuse to run as root.
            await RunAsync("chown", ["postgres:postgres", directory], asRoot: false);
        }

        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"], asRoot);
        var port = FreePort();

        // fsync off: a test cluster is thrown away, and durability costs the shared machine's disk.
        var serverOptions = $"-h 127.0.0.1 -p {port} -k {directory} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400";
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-o", serverOptions, "-l", Path.Combine(directory, "log"), "-w", "-t", "60", "start"], asRoot);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(bin, directory, asRoot);
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    /// <summary>
    /// Immediate shutdown (the cluster is discarded: nothing to checkpoint), then the directory, in
    /// one shell of its own: the test host gives exit handlers little time, and a child outlives it.
    /// </summary>
    private static void Stop(string bin, string directory, bool asRoot)
    {
        var stop = $"'{Path.Combine(bin, "pg_ctl")}' -D '{Path.Combine(directory, "data")}' -m immediate -w stop >/dev/null 2>&1";
        var start = new System.Diagnostics.ProcessStartInfo("sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(asRoot ? $"runuser -u postgres -- {stop}; rm -rf '{directory}'" : $"{stop}; rm -rf '{directory}'");
        using var process = System.Diagnostics.Process.Start(start);
        process?.WaitForExit(TimeSpan.FromSeconds(10));
    }

    private static string? FindBinaries()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/local/bin")
            .Concat(Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").Order().Reverse().Select(v => Path.Combine(v, "bin")) : []);
        return candidates.FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")));
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string executable, IReadOnlyList<string> arguments, bool asRoot)
    {
        var result = asRoot
            ? await ExternalTool.RunAsync("runuser", ["-u", "postgres", "--", executable, .. arguments], TimeSpan.FromSeconds(90), "runuser is part of util-linux.")
            : await ExternalTool.RunAsync(executable, arguments, TimeSpan.FromSeconds(90), "PostgreSQL's binaries are needed.");
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(executable)} failed, {result}");
        }
    }
}
