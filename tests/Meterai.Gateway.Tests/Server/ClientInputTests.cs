using System.IO.Pipelines;
using System.Text;
using Meterai.Gateway.Server;
using Microsoft.AspNetCore.Connections;

namespace Meterai.Gateway.Tests.Server;

/// <summary>
/// Issue 25: the input Kestrel reads under <see cref="ClientInput"/>, on a real pipe completed the way
/// the socket transport completes it: without an exception for a FIN, with one for a reset.
/// </summary>
public sealed class ClientInputTests
{
    [Fact]
    public async Task ReadAsync_EndWhileRequestServed_HiddenUntilAnswered()
    {
        var pipe = new Pipe();
        using var input = new ClientInput(pipe.Reader);
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n\r\n"));
        var request = await input.ReadAsync();
        input.AdvanceTo(request.Buffer.End);
        input.RequestStarted();

        await pipe.Writer.CompleteAsync();
        var atEnd = await input.ReadAsync();
        input.AdvanceTo(atEnd.Buffer.End);
        var afterEnd = input.ReadAsync().AsTask();
        await Task.Yield();
        var heldWhileServed = !afterEnd.IsCompleted;
        input.RequestEnded();
        var shown = await afterEnd.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(atEnd.IsCompleted);
        Assert.True(input.SendingEnded.IsCancellationRequested);
        Assert.True(heldWhileServed);
        Assert.True(shown.IsCompleted);
        Assert.False(input.Gone.IsCancellationRequested);
    }

    [Fact]
    public async Task TransportClosed_ResetWhileNobodyReads_Gone()
    {
        var pipe = new Pipe();
        using var input = await WaitingRequestAsync(pipe);

        // The request waits (the admission queue) and reads nothing when the client resets.
        await pipe.Writer.CompleteAsync(new ConnectionResetException("Connection reset by peer"));
        input.TransportClosed();

        Assert.True(input.Gone.IsCancellationRequested);
    }

    [Fact]
    public async Task TransportClosed_HalfCloseWhileNobodyReads_NotGone()
    {
        var pipe = new Pipe();
        using var input = await WaitingRequestAsync(pipe);

        await pipe.Writer.CompleteAsync();
        input.TransportClosed();

        Assert.False(input.Gone.IsCancellationRequested);
        Assert.False(input.OnlyDeliveryLeft);
    }

    /// <summary>A whole request read and being served, waiting (as in the admission queue) with nothing more to read.</summary>
    private static async Task<ClientInput> WaitingRequestAsync(Pipe pipe)
    {
        var input = new ClientInput(pipe.Reader);
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}"));
        var request = await input.ReadAsync();
        input.AdvanceTo(request.Buffer.End);
        input.RequestStarted();
        return input;
    }
}
