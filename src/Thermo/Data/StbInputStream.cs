namespace Thermo.Data;

/// <summary>
/// Read-only stream over a byte array for StbImageSharp whose seeks never leave [0, Length]. StbImageSharp
/// tests end-of-input with <c>Position == Length</c> and skips segments with relative seeks, so a corrupt
/// segment length past the end (or negative) would otherwise make it loop forever; C stb_image treats both
/// as "at end", which this stream reproduces.
/// </summary>
internal sealed class StbInputStream(byte[] data) : Stream
{
    long position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => data.Length;
    public override long Position { get => position; set => position = Math.Clamp(value, 0, data.Length); }
    public override void Flush() { }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = (int)Math.Min(buffer.Length, data.Length - position);
        if (n <= 0) return 0;
        data.AsSpan((int)position, n).CopyTo(buffer);
        position += n;
        return n;
    }

    public override int ReadByte() => position < data.Length ? data[position++] : -1;

    public override long Seek(long offset, SeekOrigin origin)
    {
        position = origin switch
        {
            SeekOrigin.Begin => Math.Clamp(offset, 0, data.Length),
            SeekOrigin.Current => offset < 0 ? data.Length : Math.Min(data.Length, position + offset),
            _ => Math.Clamp(data.Length + offset, 0, data.Length),
        };
        return position;
    }

    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
