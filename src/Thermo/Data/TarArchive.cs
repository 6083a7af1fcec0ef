using System.Buffers.Binary;
using System.Text;

namespace Thermo.Data;

/// <summary>
/// Reads selected regular-file entries of a .tar or .tar.gz archive (POSIX ustar, PAX and GNU long names) into
/// memory, within <see cref="DataLimits"/>; any malformation becomes an <see cref="InvalidDataException"/> naming
/// the archive and the entry.
/// </summary>
/// <remarks>
/// Not System.Formats.Tar: in .NET 10 its TarReader rents a buffer of whatever size a PAX or GNU metadata header
/// claims before reading it (a bit-flipped 10 KB archive made it allocate 1 GiB; upstream later capped this at
/// 1 MiB). This reader caps metadata at <see cref="MaxMetadataBytes"/> and grows data buffers only as bytes arrive.
/// </remarks>
internal static class TarArchive
{
    const int Block = 512;
    /// <summary>Largest PAX extended header or GNU long name accepted.</summary>
    public const int MaxMetadataBytes = 1 << 20;

    /// <summary>True when the path names a tar archive (by extension).</summary>
    public static bool IsArchivePath(string path) =>
        path.EndsWith(".tar", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) ||
        path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Entries (name with '/' separators and no leading "./", bytes) for which <paramref name="keep"/> is true, in
    /// archive order. Entries not kept are skipped without being held in memory. Reading ends early at the first
    /// regular file for which <paramref name="stop"/> is true.
    /// </summary>
    public static List<(string Name, byte[] Data)> ReadEntries(string path, Func<string, bool> keep, long maxKeptBytes = DataLimits.MaxPixelBytes, Func<string, bool>? stop = null)
    {
        var result = new List<(string, byte[])>();
        using var content = DataFile.OpenContent(path, out _);
        using var stream = new LimitedReadStream(content, DataLimits.MaxArchiveBytes, path);
        var header = new byte[Block];
        var scratch = new byte[1 << 16];
        long kept = 0, offset = 0;
        int entries = 0;
        string? longName = null, paxPath = null;
        long? paxSize = null;
        while (true)
        {
            int got = stream.ReadAtLeast(header, Block, throwOnEndOfStream: false);
            if (got == 0 && offset == 0) return result; // an empty file is an empty archive
            if (got < Block) throw new InvalidDataException($"{path}: truncated tar archive: header at byte {offset} has {got} of {Block} bytes");
            if (header.AsSpan().IndexOfAnyExcept((byte)0) < 0) return result; // end-of-archive marker
            string at = $"{path}: tar header at byte {offset}";
            offset += Block;
            if (++entries > DataLimits.MaxEntries) throw new InvalidDataException($"{path}: more than {DataLimits.MaxEntries} entries (DataLimits.MaxEntries)");
            CheckChecksum(header, at);
            long size = ParseNumber(header.AsSpan(124, 12), at, "size");
            byte type = header[156];
            bool ustar = header.AsSpan(257, 5).SequenceEqual("ustar"u8);
            string name = Text(header.AsSpan(0, 100));
            if (ustar && header[262] == 0) // POSIX ustar: prefix field holds leading directories
            {
                var prefix = Text(header.AsSpan(345, 155));
                if (prefix.Length > 0) name = prefix + "/" + name;
            }
            if (type is (byte)'x' or (byte)'g' or (byte)'L' or (byte)'K')
            {
                if (size > MaxMetadataBytes) throw new InvalidDataException($"{at}: metadata entry '{(char)type}' claims {size} bytes, more than {MaxMetadataBytes}");
                var data = new byte[size];
                DataFile.ReadExactly(stream, data, at, "metadata");
                Skip(stream, Padding(size), scratch, at);
                offset += size + Padding(size);
                if (type == (byte)'L') longName = Text(data);
                else if (type == (byte)'x') (paxPath, paxSize) = ParsePax(data, at);
                continue;
            }
            if (paxSize is { } overridden) size = overridden;
            name = Normalise(paxPath ?? longName ?? name);
            (longName, paxPath, paxSize) = (null, null, null);
            bool regular = type is (byte)'0' or 0 or (byte)'7';
            if (regular && stop?.Invoke(name) == true) return result;
            if (regular && keep(name))
            {
                if (size > DataLimits.MaxEntryBytes)
                    throw new InvalidDataException($"{path}: entry '{name}' claims {size} bytes, more than the {DataLimits.MaxEntryBytes}-byte limit (DataLimits.MaxEntryBytes)");
                kept += size;
                if (kept > maxKeptBytes) throw new InvalidDataException($"{path}: selected entries exceed {maxKeptBytes} bytes; refusing");
                result.Add((name, DataFile.ReadBounded(stream, size, $"{path}: entry '{name}'", "entry data")));
                Skip(stream, Padding(size), scratch, $"{path}: entry '{name}'");
            }
            else if (type is not ((byte)'1' or (byte)'2' or (byte)'3' or (byte)'4' or (byte)'5' or (byte)'6')) // links, devices, directories, FIFOs have no data
            {
                Skip(stream, size + Padding(size), scratch, $"{path}: entry '{name}'");
            }
            offset += size + Padding(size);
        }
    }

    /// <summary>Entry name with '/' separators, without a leading "./" or "/".</summary>
    public static string Normalise(string name)
    {
        name = name.Replace('\\', '/');
        while (name.StartsWith("./", StringComparison.Ordinal)) name = name[2..];
        return name.TrimStart('/');
    }

    static long Padding(long size) => (Block - size % Block) % Block;

    static void Skip(Stream stream, long count, byte[] scratch, string what)
    {
        while (count > 0)
        {
            int n = stream.Read(scratch, 0, (int)Math.Min(count, scratch.Length));
            if (n == 0) throw new InvalidDataException($"{what}: truncated tar archive: {count} bytes of entry data missing");
            count -= n;
        }
    }

    static string Text(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    static void CheckChecksum(byte[] header, string at)
    {
        long stored = ParseNumber(header.AsSpan(148, 8), at, "checksum");
        long unsigned = 8 * ' ', signed = 8 * ' ';
        for (int i = 0; i < Block; i++)
        {
            if (i is >= 148 and < 156) continue;
            unsigned += header[i];
            signed += (sbyte)header[i];
        }
        if (stored != unsigned && stored != signed)
            throw new InvalidDataException($"{at}: not a tar header (checksum {stored} stored, {unsigned} computed); corrupt archive or not a tar file");
    }

    /// <summary>Octal (NUL/space padded) or GNU base-256 (leading 0x80) number; refuses negatives and garbage.</summary>
    static long ParseNumber(ReadOnlySpan<byte> field, string at, string what)
    {
        if ((field[0] & 0x80) != 0)
        {
            if ((field[0] & 0x40) != 0) throw new InvalidDataException($"{at}: negative {what}");
            long big = field[0] & 0x3F;
            for (int i = 1; i < field.Length; i++)
            {
                if (big > (long.MaxValue >> 8)) throw new InvalidDataException($"{at}: {what} out of range");
                big = (big << 8) | field[i];
            }
            return big;
        }
        long value = 0;
        int k = 0;
        while (k < field.Length && field[k] is (byte)' ' or 0) k++;
        for (; k < field.Length && field[k] is >= (byte)'0' and <= (byte)'7'; k++)
        {
            if (value > (long.MaxValue >> 3)) throw new InvalidDataException($"{at}: {what} out of range");
            value = (value << 3) | (uint)(field[k] - '0');
        }
        for (; k < field.Length; k++)
            if (field[k] is not ((byte)' ' or 0)) throw new InvalidDataException($"{at}: {what} field is not an octal number; corrupt archive or not a tar file");
        return value;
    }

    /// <summary>PAX records "&lt;length&gt; &lt;key&gt;=&lt;value&gt;\n": returns the path and size overrides.</summary>
    static (string? Path, long? Size) ParsePax(byte[] data, string at)
    {
        string? path = null;
        long? size = null;
        int pos = 0;
        while (pos < data.Length)
        {
            if (data[pos] == 0) break; // some writers pad with NULs
            int space = data.AsSpan(pos).IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(data.AsSpan(pos, space), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int length)
                || length <= space + 1 || length > data.Length - pos || data[pos + length - 1] != (byte)'\n')
                throw new InvalidDataException($"{at}: malformed PAX extended header record at byte {pos}");
            var record = data.AsSpan(pos + space + 1, length - space - 2);
            int equals = record.IndexOf((byte)'=');
            if (equals <= 0) throw new InvalidDataException($"{at}: malformed PAX extended header record at byte {pos}");
            var key = Encoding.UTF8.GetString(record[..equals]);
            var value = record[(equals + 1)..];
            if (key == "path") path = Encoding.UTF8.GetString(value);
            else if (key == "size")
            {
                if (!long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long s))
                    throw new InvalidDataException($"{at}: PAX size is not a non-negative integer");
                size = s;
            }
            pos += length;
        }
        return (path, size);
    }
}
