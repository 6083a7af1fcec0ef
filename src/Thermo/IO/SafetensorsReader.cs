using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Thermo.Tensors;

namespace Thermo.IO;

/// <summary>
/// Reads a safetensors file: [u64 little-endian header length N][N bytes of JSON header][data buffer].
/// <see cref="Open(string, long)"/> validates the whole header against the file length (see <c>docs/formats.md</c>) before
/// any tensor is read; tensors are then read on demand straight from the file into their destination
/// arrays, so a large file is never held in memory twice.
/// </summary>
public sealed class SafetensorsReader : IDisposable
{
    readonly SafeFileHandle? handle;
    readonly Stream? stream;
    readonly bool leaveOpen;
    readonly long dataStart;
    readonly Dictionary<string, SafetensorsEntry> byName;
    const int ChunkBytes = 1 << 16;

    /// <summary>The file (or the name given to <see cref="Open(Stream, string, bool, long)"/>).</summary>
    public string Path { get; }
    /// <summary>Tensors in data-buffer order.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }
    /// <summary>The header's "__metadata__" strings (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    SafetensorsReader(string path, SafeFileHandle? handle, Stream? stream, bool leaveOpen, long dataStart, List<SafetensorsEntry> entries, Dictionary<string, string> metadata)
    {
        Path = path;
        this.handle = handle;
        this.stream = stream;
        this.leaveOpen = leaveOpen;
        this.dataStart = dataStart;
        Entries = entries;
        Metadata = metadata;
        byName = new Dictionary<string, SafetensorsEntry>(entries.Count, StringComparer.Ordinal);
        foreach (var e in entries) byName.Add(e.Name, e);
    }

    /// <summary>
    /// Opens and validates <paramref name="path"/>. Headers longer than <paramref name="maxHeaderBytes"/> are
    /// refused before anything is allocated. Throws <see cref="InvalidDataException"/> naming the file and problem.
    /// </summary>
    public static SafetensorsReader Open(string path, long maxHeaderBytes = Safetensors.DefaultMaxHeaderBytes)
    {
        RequireLittleEndian();
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            long fileLength = RandomAccess.GetLength(handle);
            var (dataStart, entries, metadata) = ReadHeader((buffer, offset) => RandomAccess.Read(handle, buffer, offset), fileLength, path, maxHeaderBytes);
            return new SafetensorsReader(path, handle, null, false, dataStart, entries, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads safetensors from a seekable <paramref name="stream"/> (for example a member of an archive or a
    /// memory buffer); <paramref name="name"/> is used in error messages. Same validation as <see cref="Open(string, long)"/>.
    /// </summary>
    public static SafetensorsReader Open(Stream stream, string name, bool leaveOpen = false, long maxHeaderBytes = Safetensors.DefaultMaxHeaderBytes)
    {
        RequireLittleEndian();
        if (!stream.CanSeek || !stream.CanRead) throw new ArgumentException($"safetensors stream '{name}' must be readable and seekable", nameof(stream));
        try
        {
            var (dataStart, entries, metadata) = ReadHeader((buffer, offset) => StreamRead(stream, buffer, offset), stream.Length, name, maxHeaderBytes);
            return new SafetensorsReader(name, null, stream, leaveOpen, dataStart, entries, metadata);
        }
        catch
        {
            if (!leaveOpen) stream.Dispose();
            throw;
        }
    }

    delegate int ReadAtFn(Span<byte> buffer, long offset);

    static (long DataStart, List<SafetensorsEntry> Entries, Dictionary<string, string> Metadata) ReadHeader(ReadAtFn read, long fileLength, string path, long maxHeaderBytes)
    {
        if (fileLength < 8) throw Bad(path, $"file has {fileLength} bytes, too short for the 8-byte header length");
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(read, prefix, 0, path);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)maxHeaderBytes)
            throw Bad(path, $"header length {headerLength} exceeds the limit of {maxHeaderBytes} bytes");
        if (headerLength > (ulong)(fileLength - 8))
            throw Bad(path, $"header length {headerLength} runs past the end of the {fileLength}-byte file (truncated?)");
        if (headerLength < 2) throw Bad(path, $"header length {headerLength} is too short for a JSON object");
        var header = new byte[headerLength];
        ReadExactly(read, header, 8, path);
        long dataStart = 8 + (long)headerLength;
        var (entries, metadata) = SafetensorsHeader.Parse(header, fileLength - dataStart, path);
        return (dataStart, entries, metadata);
    }

    static int StreamRead(Stream stream, Span<byte> buffer, long offset)
    {
        stream.Position = offset;
        return stream.Read(buffer);
    }

    int ReadAt(Span<byte> buffer, long offset) => handle is not null ? RandomAccess.Read(handle, buffer, offset) : StreamRead(stream!, buffer, offset);

    /// <summary>Whether the file holds a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => byName.ContainsKey(name);

    /// <summary>Looks up a tensor's header entry.</summary>
    public bool TryGetEntry(string name, out SafetensorsEntry entry) => byName.TryGetValue(name, out entry!);

    /// <summary>The header entry of <paramref name="name"/>; <see cref="InvalidDataException"/> when absent.</summary>
    public SafetensorsEntry GetEntry(string name) =>
        byName.TryGetValue(name, out var e) ? e : throw Bad(Path, $"has no tensor '{name}'");

    /// <summary>Reads tensor <paramref name="name"/> as float32 (converting from any other numeric dtype).</summary>
    public Tensor ReadTensor(string name)
    {
        var e = GetEntry(name);
        return new Tensor(ReadFloats(e), e.Shape);
    }

    /// <summary>Reads every tensor as float32, by name.</summary>
    public Dictionary<string, Tensor> ReadAllTensors()
    {
        var all = new Dictionary<string, Tensor>(Entries.Count, StringComparer.Ordinal);
        foreach (var e in Entries) all.Add(e.Name, new Tensor(ReadFloats(e), e.Shape));
        return all;
    }

    /// <summary>Reads tensor <paramref name="name"/> as float32 values (row-major).</summary>
    public float[] ReadFloats(string name) => ReadFloats(GetEntry(name));

    /// <summary>Reads tensor <paramref name="name"/> as float32 into <paramref name="destination"/> (exactly its length).</summary>
    public void ReadFloats(string name, Span<float> destination)
    {
        var e = GetEntry(name);
        if (destination.Length != e.ElementCount)
            throw new ArgumentException($"tensor '{name}' in '{Path}' has {e.ElementCount} elements, destination has {destination.Length}", nameof(destination));
        ReadFloatsInto(e, destination);
    }

    float[] ReadFloats(SafetensorsEntry e)
    {
        var data = GC.AllocateUninitializedArray<float>(CheckedCount(e));
        ReadFloatsInto(e, data);
        return data;
    }

    void ReadFloatsInto(SafetensorsEntry e, Span<float> destination)
    {
        if (e.DType == SafetensorsDType.F32)
        {
            ReadExactly(MemoryMarshal.AsBytes(destination), dataStart + e.Begin);
            return;
        }
        if (!e.DType.ConvertsToFloat()) throw new NotSupportedException($"tensor '{e.Name}' in '{Path}' has dtype {e.DType}, which Thermo cannot convert to float32");
        int size = e.DType.Size();
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int perChunk = ChunkBytes / size, done = 0;
            while (done < destination.Length)
            {
                int n = Math.Min(perChunk, destination.Length - done);
                var bytes = chunk.AsSpan(0, n * size);
                ReadExactly(bytes, dataStart + e.Begin + (long)done * size);
                Convert(e.DType, bytes, destination.Slice(done, n));
                done += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    static void Convert(SafetensorsDType dtype, ReadOnlySpan<byte> src, Span<float> dst)
    {
        switch (dtype)
        {
            case SafetensorsDType.BOOL:
            case SafetensorsDType.U8:
                for (int i = 0; i < dst.Length; i++) dst[i] = src[i];
                break;
            case SafetensorsDType.I8:
                for (int i = 0; i < dst.Length; i++) dst[i] = (sbyte)src[i];
                break;
            case SafetensorsDType.I16:
                for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt16LittleEndian(src[(2 * i)..]);
                break;
            case SafetensorsDType.U16:
                for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]);
                break;
            case SafetensorsDType.F16:
                for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src[(2 * i)..]);
                break;
            case SafetensorsDType.BF16:
                for (int i = 0; i < dst.Length; i++) dst[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]) << 16);
                break;
            case SafetensorsDType.I32:
                for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt32LittleEndian(src[(4 * i)..]);
                break;
            case SafetensorsDType.U32:
                for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadUInt32LittleEndian(src[(4 * i)..]);
                break;
            case SafetensorsDType.F64:
                for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(src[(8 * i)..]);
                break;
            case SafetensorsDType.I64:
                for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt64LittleEndian(src[(8 * i)..]);
                break;
            case SafetensorsDType.U64:
                for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadUInt64LittleEndian(src[(8 * i)..]);
                break;
            default:
                throw new NotSupportedException($"no float32 conversion for {dtype}");
        }
    }

    /// <summary>
    /// Reads tensor <paramref name="name"/> in its stored type without conversion; <typeparamref name="T"/> must
    /// match the dtype (sbyte I8, byte U8/BOOL, short I16, ushort U16, Half F16, int I32, uint U32, float F32,
    /// double F64, long I64, ulong U64).
    /// </summary>
    public T[] ReadArray<T>(string name) where T : unmanaged
    {
        var e = GetEntry(name);
        if (!Matches<T>(e.DType))
            throw new InvalidDataException($"tensor '{name}' in '{Path}' has dtype {e.DType}, expected {Safetensors.DTypeOf<T>()}");
        var data = GC.AllocateUninitializedArray<T>(CheckedCount(e));
        ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()), dataStart + e.Begin);
        return data;
    }

    /// <summary>Reads the raw little-endian bytes of tensor <paramref name="name"/>.</summary>
    public byte[] ReadBytes(string name)
    {
        var e = GetEntry(name);
        if (e.ByteLength > Array.MaxLength) throw new NotSupportedException($"tensor '{name}' in '{Path}' has {e.ByteLength} bytes, too many for one array");
        var data = GC.AllocateUninitializedArray<byte>((int)e.ByteLength);
        ReadExactly(data, dataStart + e.Begin);
        return data;
    }

    static bool Matches<T>(SafetensorsDType dtype) where T : unmanaged =>
        typeof(T) == typeof(byte) ? dtype is SafetensorsDType.U8 or SafetensorsDType.BOOL : Safetensors.DTypeOf<T>() == dtype;

    int CheckedCount(SafetensorsEntry e)
    {
        long n = e.ElementCount;
        if (n > Array.MaxLength) throw new NotSupportedException($"tensor '{e.Name}' in '{Path}' has {n} elements, more than one array can hold");
        return (int)n;
    }

    void ReadExactly(Span<byte> buffer, long offset) => ReadExactly(ReadAt, buffer, offset, Path);

    static void ReadExactly(ReadAtFn read, Span<byte> buffer, long offset, string path)
    {
        while (!buffer.IsEmpty)
        {
            int n = read(buffer, offset);
            if (n <= 0) throw Bad(path, $"file ended at byte {offset} while reading (was it truncated after opening?)");
            buffer = buffer[n..];
            offset += n;
        }
    }

    static InvalidDataException Bad(string path, string problem) => new($"safetensors file '{path}': {problem}");

    internal static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors I/O needs a little-endian machine");
    }

    /// <summary>Closes the file (or the stream unless it was opened with leaveOpen).</summary>
    public void Dispose()
    {
        handle?.Dispose();
        if (!leaveOpen) stream?.Dispose();
    }
}
