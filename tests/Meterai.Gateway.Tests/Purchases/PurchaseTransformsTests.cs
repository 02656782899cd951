using Meterai.Gateway.Purchases;

namespace Meterai.Gateway.Tests.Purchases;

public sealed class PurchaseTransformsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(300)]
    [InlineData(1024)] // exactly the first buffer: the read that follows must still find the end
    [InlineData(5000)]
    [InlineData(64 * 1024)] // exactly the limit
    public async Task ReadLimitedAsync_AnswerInSmallReads_ReturnsEveryByteInOrder(int length)
    {
        var answer = Enumerable.Range(0, length).Select(i => (byte)(i * 31 % 251)).ToArray();

        var read = await PurchaseTransforms.ReadLimitedAsync(new StreamContent(new TrickleStream(answer, chunk: 700)), CancellationToken.None);

        Assert.Equal(answer, read);
    }

    [Theory]
    [InlineData(64 * 1024 + 1)]
    [InlineData(200 * 1024)]
    public async Task ReadLimitedAsync_AnswerOverTheLimit_ThrowsInvalidData(int length)
    {
        var answer = new byte[length];

        await Assert.ThrowsAsync<InvalidDataException>(() =>
            PurchaseTransforms.ReadLimitedAsync(new StreamContent(new TrickleStream(answer, chunk: 4096)), CancellationToken.None));
    }

    /// <summary>Hands out at most <c>chunk</c> bytes a read, as a socket delivering an answer in pieces does.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(Math.Min(chunk, buffer.Length), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
