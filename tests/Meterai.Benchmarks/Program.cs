using BenchmarkDotNet.Running;

namespace Meterai.Benchmarks;

// Not top-level statements: their implicit Program class would clash with the gateway's public Program.
internal static class BenchmarkProgram
{
    public static void Main(string[] args)
    {
        // Bytes of one exposition of the scrape benchmark's data set, without timing anything.
        if (args is ["--scrape-bytes"])
        {
            using var scrape = new MetricsScrapeBenchmarks();
            scrape.Setup();
            return;
        }

        // Bytes of the report PDF for a day and a month, without timing anything.
        if (args is ["--pdf-bytes"])
        {
            foreach (var hours in new[] { 24, 744 })
            {
                var pdf = new ReportPdfBenchmarks { Hours = hours };
                pdf.Setup();
                Console.WriteLine(FormattableString.Invariant($"report PDF, {hours} hours: {pdf.Render()} bytes"));
            }

            return;
        }

        // Purchases/s the ledger alone sustains, for a quick look: --ledger-writes [in-flight] [FULL|NORMAL] [purchases].
        if (args is ["--ledger-writes", ..])
        {
            using var ledger = new LedgerWriteBenchmarks
            {
                InFlight = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 64,
                Synchronous = args.Length > 2 ? args[2] : "FULL",
            };
            ledger.Setup();
            _ = ledger.RunAsync(5_000).GetAwaiter().GetResult(); // warm-up: JIT tiers, page cache
            var (perSecond, writesPerCommit, writesPerFlush, cpu) = ledger.RunAsync(args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 40_000).GetAwaiter().GetResult();
            Console.WriteLine(FormattableString.Invariant(
                $"ledger: {perSecond:F0} purchases/s ({2 * perSecond:F0} writes/s), {cpu:F0} us CPU a purchase, {writesPerCommit:F1} writes a commit, {writesPerFlush:F1} a flush, {ledger.InFlight} in flight, synchronous {ledger.Synchronous}"));
            return;
        }

        // What sharing the line costs PostgreSQL in a retry storm: --place-sync <admin connection string> [gateways] [refusals/s] [seconds].
        if (args is ["--place-sync", var admin, ..])
        {
            var number = (int at, int otherwise) => args.Length > at ? int.Parse(args[at], System.Globalization.CultureInfo.InvariantCulture) : otherwise;
            Console.WriteLine(PlaceSyncStorm.RunAsync(admin, number(2, 3), number(3, 2000), number(4, 20)).GetAwaiter().GetResult());
            return;
        }

        // Always in process: BenchmarkDotNet's generated out-of-process project does not restore
        // against our NuGet mirror (NU1605 on Quartz's Microsoft.Extensions dependencies). The flag
        // rather than a default job in a config, which would make BenchmarkDotNet ignore --job.
        if (!args.Contains("--inProcess", StringComparer.OrdinalIgnoreCase) && !args.Contains("-i", StringComparer.Ordinal))
        {
            args = [.. args, "--inProcess"];
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
    }
}
