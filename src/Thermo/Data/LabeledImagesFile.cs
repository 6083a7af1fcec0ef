using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Thermo.Data;

/// <summary>
/// Thermo's compact binary file of decoded splits (extension .thimg), used as the decode cache: loading it is
/// one sequential read. Layout, little-endian: magic "THIMG\0\0\x01"; a source key string; the split count; per
/// split a header (name, split, count, C, H, W, class names, sources); then per split its int32 labels and its
/// NCHW pixel bytes. Strings are an int32 byte length (at most 4096) and UTF-8. Every count is checked against
/// <see cref="DataLimits"/> and the file length before anything is allocated.
/// </summary>
public static class LabeledImagesFile
{
    static ReadOnlySpan<byte> Magic => "THIMG\0\0\x01"u8;
    const int MaxString = 4096, MaxSplits = 64, MaxClasses = 1 << 16, MaxSources = 1 << 10;

    /// <summary>Writes the splits atomically (temporary file, then rename); <paramref name="sourceKey"/> identifies what they were decoded from.</summary>
    public static void Write(string path, IReadOnlyList<LabeledImages> splits, string sourceKey)
    {
        if (splits.Count > MaxSplits) throw new ArgumentException($"at most {MaxSplits} splits per file", nameof(splits));
        DataFile.WriteAtomically(path, stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            WriteString(w, sourceKey);
            w.Write(splits.Count);
            foreach (var s in splits)
            {
                WriteString(w, s.Name); WriteString(w, s.Split);
                w.Write(s.Count); w.Write(s.Channels); w.Write(s.Height); w.Write(s.Width);
                w.Write(s.ClassCount);
                foreach (var c in s.ClassNames) WriteString(w, c);
                w.Write(s.Sources.Count);
                foreach (var src in s.Sources) { WriteString(w, src.Path); w.Write(src.Bytes); WriteString(w, src.Sha256); }
            }
            foreach (var s in splits)
            {
                if (BitConverter.IsLittleEndian) w.Write(MemoryMarshal.AsBytes(s.Labels.AsSpan()));
                else foreach (int label in s.Labels) w.Write(label);
                w.Write(s.Pixels);
            }
        });
    }

    /// <summary>Reads a file written by <see cref="Write"/>: its source key and splits.</summary>
    public static (string SourceKey, IReadOnlyList<LabeledImages> Splits) Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long length = stream.Length;
        Span<byte> magic = stackalloc byte[8];
        DataFile.ReadExactly(stream, magic, path, "header");
        if (!magic.SequenceEqual(Magic)) throw new InvalidDataException($"{path}: not a Thermo image file (wrong magic number; expected \"THIMG\\0\\0\\x01\")");
        var key = ReadString(stream, path);
        int splitCount = ReadInt(stream, path, 0, MaxSplits, "split count");
        var headers = new List<(string Name, string Split, int Count, int C, int H, int W, string[] Classes, SourceFile[] Sources)>();
        long payload = 0;
        for (int i = 0; i < splitCount; i++)
        {
            string name = ReadString(stream, path), split = ReadString(stream, path);
            int count = ReadInt(stream, path, 0, DataLimits.MaxCount, "image count");
            int c = ReadInt(stream, path, 1, DataLimits.MaxChannels, "channels");
            int h = ReadInt(stream, path, 1, DataLimits.MaxSide, "height");
            int w = ReadInt(stream, path, 1, DataLimits.MaxSide, "width");
            var classes = new string[ReadInt(stream, path, 1, MaxClasses, "class count")];
            for (int k = 0; k < classes.Length; k++) classes[k] = ReadString(stream, path);
            var sources = new SourceFile[ReadInt(stream, path, 0, MaxSources, "source count")];
            for (int k = 0; k < sources.Length; k++)
            {
                var sourcePath = ReadString(stream, path);
                sources[k] = new SourceFile(sourcePath, ReadLong(stream, path), ReadString(stream, path));
            }
            long pixelBytes = (long)count * c * h * w;
            if (pixelBytes > DataLimits.MaxPixelBytes) throw new InvalidDataException($"{path}: split '{split}' declares {pixelBytes} pixel bytes, more than {DataLimits.MaxPixelBytes} (DataLimits.MaxPixelBytes)");
            payload += 4L * count + pixelBytes;
            headers.Add((name, split, count, c, h, w, classes, sources));
        }
        if (length - stream.Position != payload)
            throw new InvalidDataException($"{path}: header declares {payload} bytes of labels and pixels, the file has {length - stream.Position} (truncated or corrupt)");
        var result = new List<LabeledImages>();
        foreach (var (name, split, count, c, h, w, classes, sources) in headers)
        {
            var labels = new int[count];
            DataFile.ReadExactly(stream, MemoryMarshal.AsBytes(labels.AsSpan()), path, "labels");
            if (!BitConverter.IsLittleEndian) for (int i = 0; i < count; i++) labels[i] = BinaryPrimitives.ReverseEndianness(labels[i]);
            for (int i = 0; i < count; i++)
                if ((uint)labels[i] >= (uint)classes.Length) throw new InvalidDataException($"{path}: label {labels[i]} of image {i} in split '{split}' is outside 0..{classes.Length - 1}");
            var pixels = GC.AllocateUninitializedArray<byte>((int)((long)count * c * h * w));
            DataFile.ReadExactly(stream, pixels, path, "pixels");
            result.Add(new LabeledImages(name, split, c, h, w, pixels, labels, classes, sources));
        }
        return (key, result);
    }

    static void WriteString(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        if (bytes.Length > MaxString) throw new ArgumentException($"string longer than {MaxString} bytes: {s[..40]}…");
        w.Write(bytes.Length);
        w.Write(bytes);
    }

    static string ReadString(Stream stream, string path)
    {
        int length = ReadInt(stream, path, 0, MaxString, "string length");
        Span<byte> bytes = stackalloc byte[length];
        DataFile.ReadExactly(stream, bytes, path, "string");
        return Encoding.UTF8.GetString(bytes);
    }

    static long ReadLong(Stream stream, string path)
    {
        Span<byte> b = stackalloc byte[8];
        DataFile.ReadExactly(stream, b, path, "source size");
        return BinaryPrimitives.ReadInt64LittleEndian(b);
    }

    static int ReadInt(Stream stream, string path, int min, int max, string what)
    {
        Span<byte> b = stackalloc byte[4];
        DataFile.ReadExactly(stream, b, path, what);
        int v = BinaryPrimitives.ReadInt32LittleEndian(b);
        if (v < min || v > max) throw new InvalidDataException($"{path}: {what} {v} outside {min}..{max}; corrupt file");
        return v;
    }
}
