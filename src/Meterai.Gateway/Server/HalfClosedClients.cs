using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Meterai.Gateway.Server;

/// <summary>
/// Puts a <see cref="ClientInput"/> under every connection (a Kestrel connection middleware) and
/// tells it which requests are being served (an HTTP middleware), so a client that half-closes
/// still gets its answer (see <see cref="ClientInput"/>).
/// </summary>
internal sealed class HalfClosedClients
{
    /// <summary>
    /// Longest a connection whose client stopped sending may take to deliver its last answer before it
    /// is reset after all; a client that reads takes milliseconds. Kestrel's own body drain waits as long.
    /// </summary>
    internal static readonly TimeSpan DeliveryGrace = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, ClientInput> _connections = new(StringComparer.Ordinal);

    /// <summary>The input of the connection <paramref name="context"/> came on, if it has one (not under a test server).</summary>
    public static ClientInput? Of(HttpContext context) => context.Features.Get<ClientInputFeature>()?.Input;

    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        using var input = new ClientInput(connection.Transport.Input);
        using var closed = connection.ConnectionClosed.UnsafeRegister(static i => ((ClientInput)i!).TransportClosed(), input);
        _connections[connection.ConnectionId] = input;
        try
        {
            await next(new HalfClosableConnection(connection, input));
        }
        finally
        {
            _connections.TryRemove(connection.ConnectionId, out _);
        }
    }

    public async Task OnRequestAsync(HttpContext context, RequestDelegate next)
    {
        if (!_connections.TryGetValue(context.Connection.Id, out var input))
        {
            await next(context);
            return;
        }

        context.Features.Set(new ClientInputFeature(input));
        input.RequestStarted();
        try
        {
            await next(context);
        }
        finally
        {
            input.RequestEnded();
        }
    }

    private sealed record ClientInputFeature(ClientInput Input);

    /// <summary>
    /// The connection as Kestrel's HTTP/1.1 layer sees it: the input through <see cref="ClientInput"/>,
    /// ConnectionClosed only for a reset, and no reset once only delivery is left.
    /// </summary>
    private sealed class HalfClosableConnection(ConnectionContext inner, ClientInput input) : ConnectionContext
    {
        private int _abortArmed;

        public override string ConnectionId { get => inner.ConnectionId; set => inner.ConnectionId = value; }

        public override IFeatureCollection Features => inner.Features;

        public override IDictionary<object, object?> Items { get => inner.Items; set => inner.Items = value; }

        public override IDuplexPipe Transport { get; set; } = new DuplexPipe(input, inner.Transport.Output);

        public override CancellationToken ConnectionClosed { get => input.Gone; set => throw new NotSupportedException(); }

        public override EndPoint? LocalEndPoint { get => inner.LocalEndPoint; set => inner.LocalEndPoint = value; }

        public override EndPoint? RemoteEndPoint { get => inner.RemoteEndPoint; set => inner.RemoteEndPoint = value; }

        public override void Abort(ConnectionAbortedException abortReason)
        {
            // After a half-close Kestrel drains a body that never came, sees the end and resets the
            // connection, which drops the answer it has just written (a 400 for that very body).
            // Nothing more can come from this client, so there is nothing to stop: the connection ends
            // as Kestrel ends it, sending what was written, then FIN. A client that does not read is
            // reset after the grace.
            if (input.OnlyDeliveryLeft)
            {
                if (Interlocked.Exchange(ref _abortArmed, 1) == 0)
                {
                    _ = AbortAfterGraceAsync(abortReason);
                }

                return;
            }

            inner.Abort(abortReason);
        }

        /// <summary>A connection that delivered in time is closed by then, and the transport ignores a second close.</summary>
        private async Task AbortAfterGraceAsync(ConnectionAbortedException abortReason)
        {
            await Task.Delay(DeliveryGrace).ConfigureAwait(false);
            inner.Abort(abortReason);
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
