using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Meterai.LoadGenerator;

/// <summary>One purchase as an applicant sends it, and what its answer means: the same for the open loop, the closed loop and the fairness run.</summary>
internal static class PurchaseSender
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <param name="key">The Idempotency-Key, fresh for every purchase.</param>
    /// <param name="applicant">Goes into applicantRef.</param>
    /// <param name="timeout">An answer later than this counts as unanswered.</param>
    /// <param name="abort">Cancels the purchase when the whole run is aborted.</param>
    public static async Task<(Outcome Outcome, short Status)> SendAsync(
        HttpClient client, LoadOptions options, string key, int applicant, TimeSpan timeout, CancellationToken abort)
    {
        using var request = Request(options, options.Url, key, applicant);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(abort);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token).ConfigureAwait(false);
            return (Outcomes.Classify(response.StatusCode, response.Headers.RetryAfter is not null), (short)response.StatusCode);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return (Outcome.Unanswered, 0);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return (Outcome.TransportError, 0);
        }
    }

    /// <summary>
    /// The fairness run's purchase: the same body for every retry of one applicant (the spec answers a
    /// key reused with another body with 422), and what the answer said about the applicant's turn.
    /// </summary>
    /// <param name="url">One of the run's targets.</param>
    /// <param name="key">The applicant's Idempotency-Key, the same for all its requests.</param>
    /// <param name="applicant">Goes into applicantRef.</param>
    /// <param name="timeout">Time the applicant has left; status 0 when it passes or the transport fails.</param>
    /// <param name="abort">Cancels the purchase when the whole run is aborted.</param>
    public static async Task<Answer> SendForTurnAsync(
        HttpClient client, LoadOptions options, Uri url, string key, int applicant, TimeSpan timeout, CancellationToken abort)
    {
        using var request = Request(options, url, key, applicant);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(abort);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token).ConfigureAwait(false);
            var retryAfter = response.Headers.RetryAfter switch
            {
                { Delta: { } delta } => delta,
                { Date: { } date } => date - DateTimeOffset.UtcNow,
                _ => (TimeSpan?)null,
            };
            bool? hasPlace = null;
            if ((int)response.StatusCode == 503)
            {
                var body = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
                hasPlace = HasPlace(body);
            }

            return new Answer((short)response.StatusCode, retryAfter, hasPlace);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return new Answer(0, null, null);
        }
    }

    /// <summary>Whether a 503 problem body carries the spec's <c>position</c> and <c>estimatedWaitSeconds</c> as numbers.</summary>
    internal static bool HasPlace(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        try
        {
            using var doc = JsonDocument.ParseValue(ref reader);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("position", out var position) && position.ValueKind == JsonValueKind.Number
                && doc.RootElement.TryGetProperty("estimatedWaitSeconds", out var wait) && wait.ValueKind == JsonValueKind.Number;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static HttpRequestMessage Request(LoadOptions options, Uri url, string key, int applicant)
    {
        var body = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $$"""{"quantity":1,"applicantRef":"LOAD-{{options.Label}}-{{applicant}}"}"""));
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = Json;
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return request;
    }
}

/// <summary>One answer of the fairness run: status (0 = none in time or transport failure), Retry-After, and for a 503 whether its body named the place.</summary>
internal readonly record struct Answer(short Status, TimeSpan? RetryAfter, bool? HasPlace);
