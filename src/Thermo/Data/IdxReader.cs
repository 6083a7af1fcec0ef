using System.Buffers.Binary;

namespace Thermo.Data;

/// <summary>
/// Reads IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed: a 4-byte magic
/// <c>00 00 &lt;type&gt; &lt;rank&gt;</c>, then <c>rank</c> big-endian int32 dimensions, then the elements row-major.
/// Only unsigned bytes (type 0x08) are supported: images have rank 3 (count, rows, columns), labels rank 1.
/// </summary>
public static class IdxReader
{
    /// <summary>IDX element type code of unsigned bytes.</summary>
    public const byte UnsignedByte = 0x08;

    /// <summary>Reads an images file: returns the pixels (count·rows·columns bytes, row-major) and the three dimensions.</summary>
    public static (byte[] Pixels, int Count, int Rows, int Columns) ReadImages(string path)
    {
        var (dims, data) = Read(path, 3, "images (count, rows, columns)");
        return (data, dims[0], dims[1], dims[2]);
    }

    /// <summary>Reads a labels file (rank 1).</summary>
    public static byte[] ReadLabels(string path) => Read(path, 1, "labels (count)").Data;

    /// <summary>
    /// Reads an images file and a labels file into one split. Labels must lie in [0, classNames.Count); with no
    /// class names given they are "0".."9".
    /// </summary>
    public static LabeledImages Read(string imagesPath, string labelsPath, string name, string split, IReadOnlyList<string>? classNames = null)
    {
        var (pixels, count, rows, columns) = ReadImages(imagesPath);
        var raw = ReadLabels(labelsPath);
        if (raw.Length != count)
            throw new InvalidDataException($"{labelsPath}: holds {raw.Length} labels but {imagesPath} holds {count} images; expected the same count");
        classNames ??= DigitNames;
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            if (raw[i] >= classNames.Count)
                throw new InvalidDataException($"{labelsPath}: label {raw[i]} of image {i} is outside the class range 0..{classNames.Count - 1}");
            labels[i] = raw[i];
        }
        var sources = new[] { SourceFile.Of(imagesPath), SourceFile.Of(labelsPath) };
        return new LabeledImages(name, split, 1, rows, columns, pixels, labels, classNames, sources);
    }

    /// <summary>The ten digit names "0".."9".</summary>
    public static IReadOnlyList<string> DigitNames { get; } = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    static (int[] Dims, byte[] Data) Read(string path, int rank, string what)
    {
        using var stream = DataFile.OpenContent(path, out _);
        Span<byte> magic = stackalloc byte[4];
        DataFile.ReadExactly(stream, magic, path, "IDX header (magic number 00 00 08 <rank>)");
        if (magic[0] != 0 || magic[1] != 0 || magic[2] is not (0x08 or 0x09 or 0x0B or 0x0C or 0x0D or 0x0E) || magic[3] is 0)
            throw new InvalidDataException($"{path}: wrong magic number ({DataFile.Looks(magic)}); an IDX file of {what} starts with 00 00 08 {rank:x2}");
        if (magic[2] != UnsignedByte)
            throw new InvalidDataException($"{path}: IDX element type 0x{magic[2]:x2} is not supported; expected unsigned bytes (0x08)");
        if (magic[3] != rank)
            throw new InvalidDataException($"{path}: IDX rank {magic[3]}, expected {rank} for {what}");
        Span<byte> header = stackalloc byte[4 * rank];
        DataFile.ReadExactly(stream, header, path, "IDX dimensions");
        var dims = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(header[(4 * i)..]);
            long max = i == 0 ? DataLimits.MaxCount : DataLimits.MaxSide;
            if (d > max || (i > 0 && d == 0))
                throw new InvalidDataException($"{path}: header dimension {i} is {d}, expected {(i == 0 ? 0 : 1)}..{max} (DataLimits); corrupt header?");
            dims[i] = (int)d;
            total *= d;
        }
        if (total > DataLimits.MaxPixelBytes)
            throw new InvalidDataException($"{path}: header declares {string.Join("x", dims)} = {total} bytes, more than the {DataLimits.MaxPixelBytes}-byte limit (DataLimits.MaxPixelBytes)");
        var data = DataFile.ReadBounded(stream, total, path, $"{what} data declared as {string.Join("x", dims)}");
        DataFile.ExpectEnd(stream, path, $"{string.Join("x", dims)} {what}");
        return (dims, data);
    }
}
