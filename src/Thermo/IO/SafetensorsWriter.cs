using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Thermo.Tensors;

namespace Thermo.IO;

/// <summary>
/// Collects tensors and metadata and writes them as one safetensors file. Data is not copied: the writer
/// keeps references to the caller's arrays until <see cref="Save"/>. Tensors are laid out by decreasing
/// element size (then in the order added) after a header padded to 8 bytes, so every tensor is aligned to
/// its element size, as the reference implementation does.
/// </summary>
public sealed class SafetensorsWriter
{
    sealed record Item(string Name, SafetensorsDType DType, int[] Shape, long Bytes, Action<Stream> Write);

    readonly List<Item> items = new();
    readonly HashSet<string> names = new(StringComparer.Ordinal);

    /// <summary>Strings stored under "__metadata__".</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    /// <summary>Number of tensors added.</summary>
    public int Count => items.Count;

    /// <summary>Name, shape and dtype of every tensor added, in the order added.</summary>
    public IEnumerable<TensorSpec> Specs => items.Select(i => new TensorSpec(i.Name, i.Shape, i.DType));

    /// <summary>Adds a float32 tensor (shape and data as they are now; data is read at <see cref="Save"/>).</summary>
    public SafetensorsWriter Add(string name, Tensor tensor) => Add<float>(name, tensor.Data, tensor.Shape);

    /// <summary>
    /// Adds a tensor of element type <typeparamref name="T"/> (float F32, sbyte I8, byte U8, int I32, long I64,
    /// Half F16, double F64, short I16, ushort U16, uint U32, ulong U64).
    /// </summary>
    public SafetensorsWriter Add<T>(string name, ReadOnlyMemory<T> data, ReadOnlySpan<int> shape) where T : unmanaged
    {
        var dtype = Safetensors.DTypeOf<T>();
        CheckCount(name, shape, data.Length);
        return AddItem(name, dtype, shape, (long)data.Length * dtype.Size(), s => s.Write(MemoryMarshal.AsBytes(data.Span)));
    }

    /// <summary>Adds raw little-endian bytes of any dtype (e.g. BF16); the byte count must match shape × element size.</summary>
    public SafetensorsWriter AddRaw(string name, SafetensorsDType dtype, ReadOnlyMemory<byte> bytes, ReadOnlySpan<int> shape)
    {
        long count = ElementCount(name, shape);
        if (count * dtype.Size() != bytes.Length)
            throw new ArgumentException($"tensor '{name}': shape [{string.Join(", ", shape.ToArray())}] of {dtype} needs {count * dtype.Size()} bytes, got {bytes.Length}", nameof(bytes));
        return AddItem(name, dtype, shape, bytes.Length, s => s.Write(bytes.Span));
    }

    SafetensorsWriter AddItem(string name, SafetensorsDType dtype, ReadOnlySpan<int> shape, long bytes, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name == SafetensorsHeader.MetadataKey) throw new ArgumentException($"'{SafetensorsHeader.MetadataKey}' is reserved and cannot name a tensor", nameof(name));
        if (!names.Add(name)) throw new ArgumentException($"tensor '{name}' added twice", nameof(name));
        items.Add(new Item(name, dtype, shape.ToArray(), bytes, write));
        return this;
    }

    static long ElementCount(string name, ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"tensor '{name}': negative dimension in shape [{string.Join(", ", shape.ToArray())}]", nameof(shape));
            n = checked(n * d);
        }
        return n;
    }

    static void CheckCount(string name, ReadOnlySpan<int> shape, int length)
    {
        long n = ElementCount(name, shape);
        if (n != length) throw new ArgumentException($"tensor '{name}': shape [{string.Join(", ", shape.ToArray())}] needs {n} elements, data has {length}", nameof(shape));
    }

    /// <summary>Writes the file atomically (see <see cref="AtomicFile"/>).</summary>
    public void Save(string path) => AtomicFile.Write(path, WriteTo);

    /// <summary>Writes the file's bytes to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream)
    {
        SafetensorsReader.RequireLittleEndian();
        var order = items.Select((item, index) => (item, index))
            .OrderByDescending(p => p.item.DType.Size()).ThenBy(p => p.index).Select(p => p.item).ToList();
        var header = BuildHeader(order);
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (var item in order) item.Write(stream);
    }

    byte[] BuildHeader(List<Item> order)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (Metadata.Count > 0)
            {
                w.WriteStartObject(SafetensorsHeader.MetadataKey);
                foreach (var (k, v) in Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var item in order)
            {
                w.WriteStartObject(item.Name);
                w.WriteString("dtype", item.DType.HeaderName());
                w.WriteStartArray("shape");
                foreach (int d in item.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + item.Bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += item.Bytes;
            }
            w.WriteEndObject();
        }
        // Pad with spaces (valid JSON whitespace) so the data buffer starts 8-byte aligned.
        while (ms.Length % 8 != 0) ms.WriteByte((byte)' ');
        if (ms.Length > Safetensors.DefaultMaxHeaderBytes)
            throw new InvalidOperationException($"safetensors header would be {ms.Length} bytes, over the {Safetensors.DefaultMaxHeaderBytes}-byte limit readers enforce");
        return ms.ToArray();
    }
}
