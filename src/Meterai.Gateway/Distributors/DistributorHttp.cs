using System.Buffers;
using System.Net;

namespace Meterai.Gateway.Distributors;

/// <summary>
/// How the gateway talks HTTP to any distributor, for every call (orders, look-ups, refunds,
/// probes): no redirect is followed and no answer is read past <see cref="MaxAnswerBytes"/>
/// (distributor spec, POST /orders). What an unreadable answer means is the caller's to say: for an
/// order, ambiguous; for a look-up or a refund, unknown; for a probe, unhealthy.
/// </summary>
internal static class DistributorHttp
{
    /// <summary>An order answer is a few hundred bytes; anything far larger is not one.</summary>
    public const int MaxAnswerBytes = 64 * 1024;

    /// <summary>Room for a usual answer in one read.</summary>
    private const int InitialAnswerBytes = 1024;

    /// <summary>
    /// The handler of every distributor call. A redirect is an answer like any other, never a
    /// second request: following it would send an order, a look-up or the API key elsewhere.
    /// </summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxResponseHeadersLength = MaxAnswerBytes / 1024, // in KiB
        MaxResponseDrainSize = MaxAnswerBytes,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    };

    /// <summary>
    /// The answer's bytes, exactly: read into a pooled buffer and copied out once, because a
    /// per-answer chunk and a growing MemoryStream were a third of the purchase path's allocation.
    /// </summary>
    /// <exception cref="InvalidDataException">The answer is longer than <see cref="MaxAnswerBytes"/>; no more of it was read.</exception>
    public static async Task<byte[]> ReadAnswerAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxAnswerBytes)
        {
            throw new InvalidDataException("distributor answer too large");
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(InitialAnswerBytes);
        try
        {
            var length = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
                if (length > MaxAnswerBytes)
                {
                    throw new InvalidDataException("distributor answer too large");
                }

                if (length == buffer.Length)
                {
                    // One byte past the limit is room enough to see that an answer is too large.
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxAnswerBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }

            return buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
