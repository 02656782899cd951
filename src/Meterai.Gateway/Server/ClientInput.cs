using System.IO.Pipelines;

namespace Meterai.Gateway.Server;

/// <summary>
/// A connection's input as Kestrel reads it, for clients that end their sending side (a TCP
/// half-close) and still read the answer. Kestrel's socket transport takes the end of input for a
/// client gone: it aborts the answer, and a body cut short by it gets no answer at all. While a
/// request is being served the end is hidden from Kestrel and told to the request instead
/// (<see cref="SendingEnded"/>), so a body shorter than its Content-Length is answered 400.
/// Between requests the end is Kestrel's, as before: it closes the connection after the last answer.
/// </summary>
/// <remarks>
/// Kestrel's ConnectionClosed becomes <see cref="Gone"/>: set only when the input fails (a reset),
/// so a request runs to its answer after a half-close, and a client that reset is still noticed
/// at once (the admission queue lets it go). A FIN cannot tell a half-close from a full close: a
/// client that closed without a reset is noticed when its answer fails to arrive, as with any
/// client whose FIN was lost; the queue's wait is bounded anyway (Admission:MaxWaitSeconds).
/// </remarks>
internal sealed class ClientInput(PipeReader inner) : PipeReader, IDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _sendingEnded = new();
    private readonly CancellationTokenSource _gone = new();
    private int _requests;
    private bool _ended;
    private bool _inRead;
    private bool _readCanceled;
    private bool _examinedAll = true;
    private SequencePosition _lastEnd;
    private TaskCompletionSource? _held;

    /// <summary>Set when the client has sent all it will (half-close or reset).</summary>
    public CancellationToken SendingEnded => _sendingEnded.Token;

    /// <summary>Kestrel's ConnectionClosed for this connection: the client reset it.</summary>
    public CancellationToken Gone => _gone.Token;

    /// <summary>The client stopped sending, no request is being served and it did not reset: all that is left is to deliver what was written.</summary>
    public bool OnlyDeliveryLeft
    {
        get
        {
            lock (_gate)
            {
                return _ended && _requests == 0 && !_gone.IsCancellationRequested;
            }
        }
    }

    public void RequestStarted()
    {
        lock (_gate)
        {
            _requests++;
        }
    }

    public void RequestEnded()
    {
        lock (_gate)
        {
            if (--_requests == 0)
            {
                _held?.TrySetResult();
            }
        }
    }

    /// <summary>
    /// The transport saw the input end. A reset is noticed now, even if nobody reads while the request
    /// waits (in the admission queue); a read under way reports it itself.
    /// </summary>
    public void TransportClosed()
    {
        lock (_gate)
        {
            if (_inRead || _requests == 0)
            {
                return;
            }

            try
            {
                if (inner.TryRead(out var result))
                {
                    inner.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                }
            }
            catch (Exception)
            {
                // The transport completes the input with the reset's exception, and a FIN without one.
                _sendingEnded.Cancel();
                _gone.Cancel();
            }
        }
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        bool ended;
        lock (_gate)
        {
            ended = _ended;
            _inRead = !ended;
        }

        if (ended)
        {
            return AfterEndAsync(cancellationToken);
        }

        var read = inner.ReadAsync(cancellationToken);
        return read.IsCompletedSuccessfully ? new ValueTask<ReadResult>(Shown(read.Result)) : ObserveAsync(read);
    }

    public override bool TryRead(out ReadResult result)
    {
        lock (_gate)
        {
            if (_ended && _examinedAll && _requests > 0 && !_readCanceled)
            {
                // Nothing new, and the end stays hidden until the request is answered.
                result = default;
                return false;
            }

            _inRead = true;
        }

        bool read;
        try
        {
            read = inner.TryRead(out result);
        }
        catch
        {
            Failed();
            throw;
        }

        if (!read)
        {
            lock (_gate)
            {
                _inRead = false;
            }

            return false;
        }

        result = Shown(result);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        lock (_gate)
        {
            _examinedAll = examined.Equals(_lastEnd);
            inner.AdvanceTo(consumed, examined);
            _inRead = false;
        }
    }

    public override void CancelPendingRead()
    {
        inner.CancelPendingRead();
        lock (_gate)
        {
            _readCanceled = true;
            _held?.TrySetResult();
        }
    }

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    /// <summary>Once the connection has ended.</summary>
    public void Dispose()
    {
        _sendingEnded.Dispose();
        _gone.Dispose();
    }

    private async ValueTask<ReadResult> ObserveAsync(ValueTask<ReadResult> read)
    {
        try
        {
            return Shown(await read);
        }
        catch
        {
            Failed();
            throw;
        }
    }

    /// <summary>After the end: hands over what is left, holds the end while a request is served, then shows it.</summary>
    private async ValueTask<ReadResult> AfterEndAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_readCanceled || !_examinedAll || _requests == 0)
                {
                    _inRead = true;
                    break;
                }

                wait = (_held ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }

            await wait.WaitAsync(cancellationToken);
            lock (_gate)
            {
                _held = null;
            }
        }

        try
        {
            return Shown(await inner.ReadAsync(cancellationToken));
        }
        catch
        {
            Failed();
            throw;
        }
    }

    /// <summary>A reset, or the transport aborted: the client is gone.</summary>
    private void Failed()
    {
        lock (_gate)
        {
            _inRead = false;
        }

        _sendingEnded.Cancel();
        _gone.Cancel();
    }

    /// <summary>The result Kestrel sees: the end hidden while a request is served or bytes are left to look at.</summary>
    private ReadResult Shown(ReadResult result)
    {
        bool hide;
        var canceled = result.IsCanceled;
        lock (_gate)
        {
            _lastEnd = result.Buffer.End;
            canceled |= _readCanceled;
            _readCanceled = false;
            if (!result.IsCompleted)
            {
                return result;
            }

            var first = !_ended;
            _ended = true;

            // Bytes that came with the end are Kestrel's to parse once; a request being served keeps it hidden.
            hide = _requests > 0 || (first && !result.Buffer.IsEmpty) || !_examinedAll;
        }

        // Not Gone: Kestrel ends the connection itself once it sees the end between requests, after
        // the last answer has gone out.
        _sendingEnded.Cancel();
        return hide ? new ReadResult(result.Buffer, canceled, isCompleted: false) : result;
    }
}
