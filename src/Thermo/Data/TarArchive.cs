using System.Formats.Tar;

namespace Thermo.Data;

/// <summary>
/// Reads selected regular-file entries of a .tar or .tar.gz archive into memory, within
/// <see cref="DataLimits"/>; any malformation becomes an <see cref="InvalidDataException"/> naming the archive.
/// </summary>
internal static class TarArchive
{
    /// <summary>True when the path names a tar archive (by extension).</summary>
    public static bool IsArchivePath(string path) =>
        path.EndsWith(".tar", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) ||
        path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Entries (name with '/' separators and no leading "./", bytes) for which <paramref name="keep"/> is true, in
    /// archive order. Entries not kept are skipped without being held in memory.
    /// </summary>
    public static List<(string Name, byte[] Data)> ReadEntries(string path, Func<string, bool> keep, long maxKeptBytes = DataLimits.MaxPixelBytes)
    {
        var result = new List<(string, byte[])>();
        long kept = 0;
        int entries = 0;
        string current = "(header)";
        try
        {
            using var content = DataFile.OpenContent(path, out _);
            using var limited = new LimitedReadStream(content, DataLimits.MaxArchiveBytes, path);
            using var reader = new TarReader(limited);
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                if (++entries > DataLimits.MaxEntries) throw new InvalidDataException($"{path}: more than {DataLimits.MaxEntries} entries (DataLimits.MaxEntries)");
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile)) continue;
                var name = Normalise(entry.Name);
                current = name;
                if (!keep(name)) continue;
                if (entry.Length > DataLimits.MaxEntryBytes)
                    throw new InvalidDataException($"{path}: entry '{name}' claims {entry.Length} bytes, more than the {DataLimits.MaxEntryBytes}-byte limit (DataLimits.MaxEntryBytes)");
                kept += entry.Length;
                if (kept > maxKeptBytes) throw new InvalidDataException($"{path}: selected entries exceed {maxKeptBytes} bytes; refusing");
                var data = new byte[entry.Length];
                if (entry.Length > 0)
                {
                    if (entry.DataStream is null) throw new InvalidDataException($"{path}: entry '{name}' has no data");
                    DataFile.ReadExactly(entry.DataStream, data, $"{path}: entry '{name}'", "entry data");
                }
                result.Add((name, data));
            }
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidOperationException or NotSupportedException or FormatException or ArgumentException or OverflowException
                                      || (e is InvalidDataException && !e.Message.StartsWith(path, StringComparison.Ordinal)))
        {
            throw new InvalidDataException($"{path}: not a readable tar archive near entry '{current}' ({e.Message})", e);
        }
        return result;
    }

    /// <summary>Entry name with '/' separators, without a leading "./" or "/".</summary>
    public static string Normalise(string name)
    {
        name = name.Replace('\\', '/');
        while (name.StartsWith("./", StringComparison.Ordinal)) name = name[2..];
        return name.TrimStart('/');
    }
}
