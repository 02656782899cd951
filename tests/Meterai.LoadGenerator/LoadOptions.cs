using System.Globalization;

namespace Meterai.LoadGenerator;

internal sealed class UsageException(string message) : Exception(message);

/// <summary>The generator's flags; see <see cref="Usage"/>.</summary>
internal sealed record LoadOptions(
    Uri Url,
    double Rate,
    TimeSpan Duration,
    TimeSpan Timeout,
    int Connections,
    string? JsonPath,
    string Mode,
    double? Capacity,
    string Label,
    int? Concurrency = null,
    int? Applicants = null,
    double PoliteShare = 0.5,
    double HammerInterval = 0.25,
    IReadOnlyList<Uri>? Targets = null)
{
    public const string Usage = """
        Usage: Meterai.LoadGenerator --url URL (--rate R | --closed N) --duration S [options]
               Meterai.LoadGenerator --url URL --fair N --rate R [--polite-share P] [--hammer-interval S] [options]
          Open loop (--rate): request i is due at start + i/R whatever the latency; latency is
          measured from that due time, so waiting inside the generator counts.
          Closed loop (--closed N): N applicants, each buying again at once with a fresh
          Idempotency-Key when answered (503s included), until the duration is over.
          Fairness (--fair N): N applicants arrive at R per second, each keeping one Idempotency-Key
          until a final answer (201, 202, or a 4xx other than 409/429). Polite ones wait the
          Retry-After they get (1 s without one); the others retry every --hammer-interval.
          --url URL          http://127.0.0.1:PORT/api/purchases (gateway) or .../orders (simulator); loopback only
          --targets U1,U2    several URLs instead of --url, taken round-robin per request (several gateways)
          --rate R           requests per second (1..20000)
          --closed N         closed loop with N concurrent applicants (1..20000) instead of --rate
          --storm N          the same: a retry storm of N applicants hammering with fresh keys, no think time
          --duration S       seconds of sending (1..600); with --fair it is N / R
          --timeout S        seconds a request may take from its due time; later = unanswered (default 30);
                             with --fair, seconds an applicant tries from its arrival before giving up
          --fair N           fairness run with N applicants (1..100000) arriving at --rate
          --polite-share P   with --fair: share of applicants that honour Retry-After, interleaved (default 0.5)
          --hammer-interval S  with --fair: seconds the others wait between retries (default 0.25)
          --connections N    most connections held open to the target (default 5000)
          --mode M           gateway | direct: a label only, both send the same body (default gateway)
          --capacity C       the fleet's known capacity in orders/s, to report goodput as a share of C
          --label L          prefix of Idempotency-Keys and applicantRefs (default: random)
          --json FILE        also write the results as JSON
        """;

    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        Uri? url = null;
        List<Uri>? targets = null;
        double? rate = null, duration = null, capacity = null;
        int? closed = null, fair = null;
        double timeout = 30, politeShare = 0.5, hammerInterval = 0.25;
        var connections = 5000;
        string? json = null, label = null;
        var mode = "gateway";

        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{flag} needs a value.");
            double Number(double min, double max)
            {
                var text = Value();
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                    ? n
                    : throw new UsageException($"{flag} must be a number from {min} to {max}, not '{text}'.");
            }

            switch (flag)
            {
                case "--url":
                    url = Uri.TryCreate(Value(), UriKind.Absolute, out var u) ? u : throw new UsageException("--url must be an absolute URL.");
                    break;
                case "--targets":
                    targets = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t =>
                        Uri.TryCreate(t, UriKind.Absolute, out var target) ? target : throw new UsageException($"--targets: '{t}' is not an absolute URL."))];
                    break;
                case "--fair":
                    fair = (int)Number(1, 100_000);
                    break;
                case "--polite-share":
                    politeShare = Number(0, 1);
                    break;
                case "--hammer-interval":
                    hammerInterval = Number(0.01, 60);
                    break;
                case "--rate":
                    rate = Number(1, 20_000);
                    break;
                case "--closed":
                case "--storm":
                    closed = (int)Number(1, 20_000);
                    break;
                case "--duration":
                    duration = Number(1, 600);
                    break;
                case "--timeout":
                    timeout = Number(0.1, 600);
                    break;
                case "--connections":
                    connections = (int)Number(1, 100_000);
                    break;
                case "--mode":
                    mode = Value();
                    if (mode is not ("gateway" or "direct"))
                    {
                        throw new UsageException("--mode is gateway or direct.");
                    }

                    break;
                case "--capacity":
                    capacity = Number(0.001, 1_000_000);
                    break;
                case "--label":
                    label = Value();
                    break;
                case "--json":
                    json = Value();
                    break;
                default:
                    throw new UsageException($"Unknown option '{flag}'.");
            }
        }

        if (targets is not null && url is not null)
        {
            throw new UsageException("--url and --targets exclude each other.");
        }

        url ??= targets is [var first, ..] ? first : null;
        if (fair is not null)
        {
            // The arrivals take N / R seconds: the duration follows from them.
            duration ??= fair / rate;
            if (closed is not null || rate is null)
            {
                throw new UsageException("--fair needs --rate (arrivals per second) and excludes --closed.");
            }
        }

        if (url is null || (rate is null) == (closed is null) || duration is null)
        {
            throw new UsageException("--url, --duration and one of --rate or --closed are required.");
        }

        // Traffic stays on this machine: a load test must never leave loopback by accident.
        foreach (var target in targets ?? [url])
        {
            if (target.Scheme != Uri.UriSchemeHttp || !target.IsLoopback)
            {
                throw new UsageException($"--url and --targets must be http:// on loopback (127.0.0.1), not '{target}'.");
            }
        }

        label ??= $"{DateTimeOffset.UtcNow:HHmmss}{Random.Shared.Next(0x1000, 0xFFFF):x4}";
        if (label.Length is < 1 or > 24 || !label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new UsageException("--label must be 1 to 24 characters of A-Z a-z 0-9 - _.");
        }

        return new LoadOptions(url, rate ?? 0, TimeSpan.FromSeconds(duration.Value), TimeSpan.FromSeconds(timeout),
            connections, json, mode, capacity, label, closed, fair, politeShare, hammerInterval, targets ?? [url]);
    }

    /// <summary>Requests the run sends in all: rate × duration, rounded down.</summary>
    public int Total => (int)Math.Floor(Rate * Duration.TotalSeconds);
}
