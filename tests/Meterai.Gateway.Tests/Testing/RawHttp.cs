using System.Net.Sockets;
using System.Text;

namespace Meterai.Gateway.Tests.Testing;

/// <summary>
/// HTTP/1.1 over a bare socket, for requests no well-behaved client sends: a body shorter than its
/// Content-Length, a header twice, bytes that are not UTF-8. The request is written exactly as
/// given (with <c>Connection: close</c>) and the answer is read to EOF.
/// </summary>
internal static class RawHttp
{
    public sealed record Answer(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
    {
        public string? Header(string name) =>
            Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

        public string Text => Encoding.UTF8.GetString(Body);

        public override string ToString() => $"{Status} {Header("Content-Type")} {Text}";
    }

    /// <summary>A request head with the given header lines (duplicates kept) and a body; <c>Content-Length</c> only if listed.</summary>
    public static byte[] Request(string method, string target, IEnumerable<(string Name, string Value)> headers, ReadOnlySpan<byte> body)
    {
        var head = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("\r\n");
        return [.. Encoding.Latin1.GetBytes(head.ToString()), .. body];
    }

    /// <param name="endSending">Shut the sending side after the request, so a short body really ends there (Kestrel then sees the client stop).</param>
    public static async Task<Answer> SendAsync(Uri server, byte[] request, bool endSending = false, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, deadline.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(request, deadline.Token);
        if (endSending)
        {
            client.Client.Shutdown(SocketShutdown.Send);
        }

        using var received = new MemoryStream();
        await stream.CopyToAsync(received, deadline.Token);

        return Parse(received.ToArray());
    }

    private static Answer Parse(byte[] raw)
    {
        var end = raw.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            throw new InvalidDataException($"No complete HTTP answer: {Encoding.Latin1.GetString(raw)}");
        }

        var lines = Encoding.Latin1.GetString(raw, 0, end).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1)
            .Select(l => l.Split(':', 2))
            .Select(p => KeyValuePair.Create(p[0].Trim(), p.Length > 1 ? p[1].Trim() : ""))
            .ToList();
        var body = raw.AsSpan(end + 4).ToArray();
        var chunked = headers.Any(h => h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
            && h.Value.Contains("chunked", StringComparison.OrdinalIgnoreCase));
        return new Answer(status, headers, chunked ? Dechunk(body) : body);
    }

    private static byte[] Dechunk(byte[] chunked)
    {
        using var body = new MemoryStream();
        var position = 0;
        while (position < chunked.Length)
        {
            var lineEnd = chunked.AsSpan(position).IndexOf("\r\n"u8);
            var size = Convert.ToInt32(Encoding.Latin1.GetString(chunked, position, lineEnd).Split(';')[0].Trim(), 16);
            position += lineEnd + 2;
            if (size == 0)
            {
                break;
            }

            body.Write(chunked, position, size);
            position += size + 2;
        }

        return body.ToArray();
    }
}
