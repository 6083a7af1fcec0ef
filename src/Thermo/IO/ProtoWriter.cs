using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Thermo.IO;

/// <summary>
/// A minimal protocol-buffers encoder (varint, 32-bit, length-delimited), enough to write ONNX models
/// without generated code. Nested messages are encoded into their own writer first, then copied in with
/// their length.
/// </summary>
internal sealed class ProtoWriter
{
    readonly ArrayBufferWriter<byte> buffer = new(256);

    const int WireVarint = 0, WireFixed32 = 5, WireLength = 2;

    public ReadOnlySpan<byte> WrittenSpan => buffer.WrittenSpan;

    void Raw(ulong value)
    {
        var span = buffer.GetSpan(10);
        int n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        buffer.Advance(n);
    }

    void Tag(int field, int wire) => Raw((ulong)((field << 3) | wire));

    /// <summary>int64 / int32 / enum field (negative values take ten bytes, as protobuf requires).</summary>
    public void Int64(int field, long value)
    {
        Tag(field, WireVarint);
        Raw((ulong)value);
    }

    public void Float(int field, float value)
    {
        Tag(field, WireFixed32);
        BinaryPrimitives.WriteSingleLittleEndian(buffer.GetSpan(4), value);
        buffer.Advance(4);
    }

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, WireLength);
        Raw((ulong)value.Length);
        buffer.Write(value);
    }

    public void String(int field, string value)
    {
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        Tag(field, WireLength);
        var tmp = max <= 256 ? stackalloc byte[max] : new byte[max];
        int n = Encoding.UTF8.GetBytes(value, tmp);
        Raw((ulong)n);
        buffer.Write(tmp[..n]);
    }

    /// <summary>Repeated int64, one tagged value each (onnx.proto is proto2: repeated scalars are not packed).</summary>
    public void RepeatedInt64(int field, ReadOnlySpan<long> values)
    {
        foreach (long v in values) Int64(field, v);
    }

    public void Message(int field, Action<ProtoWriter> write)
    {
        var inner = new ProtoWriter();
        write(inner);
        Bytes(field, inner.WrittenSpan);
    }
}
