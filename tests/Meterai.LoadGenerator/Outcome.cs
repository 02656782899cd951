using System.Net;

namespace Meterai.LoadGenerator;

/// <summary>How one request ended. <see cref="None"/> = not finished yet.</summary>
internal enum Outcome
{
    None = 0,
    Issued201,
    Pending202,
    Unavailable503WithRetryAfter,
    Unavailable503WithoutRetryAfter,
    Other4xx,
    Other5xx,
    OtherStatus,
    TransportError,
    Unanswered,
}

internal static class Outcomes
{
    /// <summary>Every finished outcome, in report order.</summary>
    public static readonly Outcome[] All =
    [
        Outcome.Issued201, Outcome.Pending202, Outcome.Unavailable503WithRetryAfter, Outcome.Unavailable503WithoutRetryAfter,
        Outcome.Other4xx, Outcome.Other5xx, Outcome.OtherStatus, Outcome.TransportError, Outcome.Unanswered,
    ];

    public static Outcome Classify(HttpStatusCode status, bool hasRetryAfter) => (int)status switch
    {
        201 => Outcome.Issued201,
        202 => Outcome.Pending202,
        503 => hasRetryAfter ? Outcome.Unavailable503WithRetryAfter : Outcome.Unavailable503WithoutRetryAfter,
        >= 400 and < 500 => Outcome.Other4xx,
        >= 500 => Outcome.Other5xx,
        _ => Outcome.OtherStatus,
    };

    /// <summary>Short name for tables, JSON and the machine-readable line.</summary>
    public static string Key(this Outcome outcome) => outcome switch
    {
        Outcome.Issued201 => "issued_201",
        Outcome.Pending202 => "pending_202",
        Outcome.Unavailable503WithRetryAfter => "s503_retry_after",
        Outcome.Unavailable503WithoutRetryAfter => "s503_no_retry_after",
        Outcome.Other4xx => "other_4xx",
        Outcome.Other5xx => "other_5xx",
        Outcome.OtherStatus => "other_status",
        Outcome.TransportError => "transport_error",
        Outcome.Unanswered => "unanswered",
        _ => "none",
    };

    public static string Describe(this Outcome outcome) => outcome switch
    {
        Outcome.Issued201 => "201 issued",
        Outcome.Pending202 => "202 pending (charged, not yet delivered)",
        Outcome.Unavailable503WithRetryAfter => "503 with Retry-After",
        Outcome.Unavailable503WithoutRetryAfter => "503 without Retry-After",
        Outcome.Other4xx => "other 4xx",
        Outcome.Other5xx => "5xx other than 503",
        Outcome.OtherStatus => "other status (1xx/2xx/3xx)",
        Outcome.TransportError => "transport error (refused, reset, dropped)",
        Outcome.Unanswered => "unanswered within the timeout",
        _ => "not finished",
    };
}
