using System.IO.Compression;
using System.Security.Cryptography;

namespace Thermo.Data;

/// <summary>
/// Low-level reading shared by the dataset readers: gzip detection by magic bytes, exact reads that
/// report truncation clearly, bounded reads whose buffer grows only as data actually arrives.
/// </summary>
internal static class DataFile
{
    /// <summary>SHA-256 of a file, lower-case hex.</summary>
    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// What the first bytes of a file look like, in words ("it starts like a ZIP archive"), for error messages. Errors
    /// never echo a file's bytes: a symbolic link or a damaged file can put anything there (a password file, a
    /// key), and an error line is pasted into logs and issues.
    /// </summary>
    public static string Looks(ReadOnlySpan<byte> head) => head switch
    {
        [] => "the file is empty",
        [0x1f, 0x8b, ..] => "it starts like a gzip stream",
        [(byte)'P', (byte)'K', ..] => "it starts like a ZIP archive",
        [0x89, (byte)'P', (byte)'N', (byte)'G', ..] => "it starts like a PNG image",
        [0xFF, 0xD8, ..] => "it starts like a JPEG image",
        [0, 0, 0x08, ..] => "it starts like an IDX file",
        _ when IsText(head) => "it starts with text",
        _ => "it starts with bytes of no format Thermo knows",
    };

    static bool IsText(ReadOnlySpan<byte> head)
    {
        foreach (byte b in head)
            if (b < 0x09 || (b > 0x0d && b < 0x20) || b == 0x7f) return false;
        return true;
    }

    /// <summary>True when the file starts with the gzip magic bytes 1f 8b.</summary>
    public static bool IsGzip(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        return stream.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    /// <summary>
    /// Opens a file for reading its content, decompressing gzip (recognised by its magic bytes, whatever the
    /// name). A file named *.gz / *.tgz that is not gzip is refused.
    /// </summary>
    public static Stream OpenContent(string path, out bool gzip)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        try
        {
            Span<byte> magic = stackalloc byte[2];
            int got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
            if (!gzip && (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase)))
                throw new InvalidDataException($"{path}: not a gzip file (a gzip file starts with the bytes 1f 8b; {Looks(magic[..got])})");
            return gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Fills <paramref name="destination"/> or throws naming the file and what was being read.</summary>
    public static void ReadExactly(Stream stream, Span<byte> destination, string path, string what)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = ReadSome(stream, destination[total..], path);
            if (n == 0) throw new InvalidDataException($"{path}: truncated: expected {destination.Length} bytes of {what}, the file ends after {total}");
            total += n;
        }
    }

    /// <summary>
    /// Reads exactly <paramref name="count"/> bytes (already checked against <see cref="DataLimits"/>). The buffer
    /// starts small and doubles as data arrives, so a header that lies about the size of a short (e.g. gzip)
    /// stream costs at most twice the data actually present.
    /// </summary>
    public static byte[] ReadBounded(Stream stream, long count, string path, string what)
    {
        if (count < 0 || count > Array.MaxLength) throw new InvalidDataException($"{path}: {what} of {count} bytes exceeds the supported size");
        if (stream.CanSeek)
        {
            long remaining = stream.Length - stream.Position;
            if (remaining < count) throw new InvalidDataException($"{path}: truncated: expected {count} bytes of {what}, the file has {remaining}");
            var exact = GC.AllocateUninitializedArray<byte>((int)count);
            ReadExactly(stream, exact, path, what);
            return exact;
        }
        var buffer = GC.AllocateUninitializedArray<byte>((int)Math.Min(count, 1 << 22));
        long filled = 0;
        while (filled < count)
        {
            if (filled == buffer.Length) Array.Resize(ref buffer, (int)Math.Min(count, 2L * buffer.Length));
            int n = ReadSome(stream, buffer.AsSpan((int)filled), path);
            if (n == 0) throw new InvalidDataException($"{path}: truncated: expected {count} bytes of {what}, the data ends after {filled}");
            filled += n;
        }
        return buffer;
    }

    /// <summary>Throws when the stream holds anything after what the header declared (also completes gzip CRC checks).</summary>
    public static void ExpectEnd(Stream stream, string path, string what)
    {
        Span<byte> one = stackalloc byte[1];
        if (ReadSome(stream, one, path) != 0)
            throw new InvalidDataException($"{path}: unexpected bytes after the {what} the header declares (wrong header or corrupt file)");
    }

    static int ReadSome(Stream stream, Span<byte> destination, string path)
    {
        try
        {
            return stream.Read(destination);
        }
        catch (Exception e) when (IsCodecError(e))
        {
            throw new InvalidDataException($"{path}: corrupt compressed data ({e.Message})", e);
        }
    }

    /// <summary>
    /// True for what a decompressor throws on bad input: <see cref="InvalidDataException"/>, or zlib's internal
    /// ZLibException (an <see cref="IOException"/>, "unexpected error code") — but not for other I/O failures.
    /// </summary>
    public static bool IsCodecError(Exception e) =>
        e is InvalidDataException || (e is IOException && e.GetType().FullName == "System.IO.Compression.ZLibException");

    /// <summary>Writes <paramref name="write"/>'s output to a temporary file beside <paramref name="path"/>, then renames it into place.</summary>
    public static void WriteAtomically(string path, Action<Stream> write)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Deletes a file, ignoring failures (cleanup paths only).</summary>
    public static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
