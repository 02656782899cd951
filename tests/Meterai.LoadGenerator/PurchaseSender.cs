using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Meterai.LoadGenerator;

/// <summary>One purchase as an applicant sends it, and what its answer means: the same for the open and the closed loop.</summary>
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
        var body = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $$"""{"quantity":1,"applicantRef":"LOAD-{{options.Label}}-{{applicant}}"}"""));
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = Json;
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
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
}
