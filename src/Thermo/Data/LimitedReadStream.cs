namespace Thermo.Data;

/// <summary>Read-only pass-through that fails once more than a fixed number of bytes has been read (gzip-bomb guard).</summary>
internal sealed class LimitedReadStream(Stream inner, long limit, string path) : Stream
{
    long read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = inner.Read(buffer);
        }
        catch (Exception e) when (DataFile.IsCodecError(e) && !e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: corrupt compressed data ({e.Message})", e);
        }
        read += n;
        if (read > limit) throw new InvalidDataException($"{path}: more than {limit} bytes after decompression; refusing (limit DataLimits.MaxArchiveBytes)");
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
