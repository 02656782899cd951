using System.Globalization;

namespace Meterai.LoadGenerator;

/// <summary>
/// <c>dotnet run -c Release --project tests/Meterai.LoadGenerator -- --url http://127.0.0.1:8080/api/purchases --rate 1000 --duration 60</c>,
/// or a fairness run: <c>... -- --url http://127.0.0.1:8080/api/purchases --fair 480 --rate 60 --timeout 120</c>
/// </summary>
internal static class Program
{
    internal static async Task<int> Main(string[] args)
    {
        if (args is [] or ["--help"] or ["-h"])
        {
            await Console.Out.WriteLineAsync(LoadOptions.Usage).ConfigureAwait(false);
            return args.Length == 0 ? 2 : 0;
        }

        LoadOptions options;
        try
        {
            options = LoadOptions.Parse(args);
        }
        catch (UsageException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        if (options.Applicants is not null)
        {
            using var fairness = new FairnessRunner(options);
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                fairness.Abort();
            };
            var fair = await fairness.RunAsync().ConfigureAwait(false);
            await Console.Out.WriteLineAsync(fair.ToMarkdown()).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(fair.ToResultLine()).ConfigureAwait(false);
            if (options.JsonPath is { } json)
            {
                await File.WriteAllTextAsync(json, fair.ToJson()).ConfigureAwait(false);
            }

            return 0;
        }

        if (options.Concurrency is not null)
        {
            using var closedLoop = new ClosedLoopRunner(options);
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                closedLoop.Abort();
            };
            return await ReportAsync(options, await closedLoop.RunAsync().ConfigureAwait(false)).ConfigureAwait(false);
        }

        using var runner = new OpenLoopRunner(options);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            runner.Abort();
        };

        var previous = (Issued: 0, Unavailable: 0);
        var result = await runner.RunAsync(r =>
        {
            var issued = r.Count(Outcome.Issued201);
            var unavailable = r.Count(Outcome.Unavailable503WithRetryAfter) + r.Count(Outcome.Unavailable503WithoutRetryAfter);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[loadgen] {r.Elapsed.TotalSeconds,5:F0}s sent {r.Sent,7} answered {r.Finished,7} in flight {r.Sent - r.Finished,6}  201/s {issued - previous.Issued,5}  503/s {unavailable - previous.Unavailable,5}"));
            previous = (issued, unavailable);
        }).ConfigureAwait(false);

        return await ReportAsync(options, result).ConfigureAwait(false);
    }

    private static async Task<int> ReportAsync(LoadOptions options, RunResult result)
    {
        await Console.Out.WriteLineAsync(result.ToMarkdown()).ConfigureAwait(false);
        await Console.Out.WriteLineAsync(result.ToResultLine()).ConfigureAwait(false);
        if (options.JsonPath is { } path)
        {
            await File.WriteAllTextAsync(path, result.ToJson()).ConfigureAwait(false);
        }

        return 0;
    }
}
