using System.Text.RegularExpressions;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Thermo.IO;

/// <summary>
/// All-or-nothing file writes: the content goes to a temporary file in the target's directory, is flushed
/// to disk (fsync), and is renamed over the target. A reader sees either the old file or the complete new
/// one, never a half-written file, even if the process dies mid-write. If the writer throws, the temporary
/// file is deleted and the target is left as it was.
/// </summary>
public static partial class AtomicFile
{
    /// <summary>Prefix of the temporary files (hidden on Unix); a crash can leave one behind.</summary>
    public const string TempPrefix = ".thermo-tmp-";

    static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes <paramref name="path"/> atomically with the bytes <paramref name="write"/> puts into the stream.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no parent directory", nameof(path));
        if (Directory.Exists(full)) throw new IOException($"cannot write '{path}': it is a directory");
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, TempPrefix + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e.Message.Contains(temp, StringComparison.Ordinal))
        {
            TryDelete(temp);
            // The operating system names the temporary file; the user gave the target.
            string message = e.Message.Replace(temp, full, StringComparison.Ordinal);
            throw e is UnauthorizedAccessException ? new UnauthorizedAccessException(message, e) : new IOException(message, e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        SyncDirectory(dir);
    }

    /// <summary>
    /// <paramref name="message"/> with every temporary name of this class (<c>.thermo-tmp-NAME.0123456789ab</c>)
    /// replaced by the file it stood for (<c>NAME</c>), for messages shown to people.
    /// </summary>
    public static string UserPath(string message) => TempName().Replace(message, "$1");

    [GeneratedRegex(@"\.thermo-tmp-([^/\\'""\s]+?)\.[0-9a-f]{12}(?![0-9a-f])")]
    private static partial Regex TempName();

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        // A span cannot enter the lambda; copy only when the caller did not hand us an array.
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark) to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Utf8NoBom.GetBytes(text));

    /// <summary>Writes JSON produced by <paramref name="write"/> (indented, UTF-8) to <paramref name="path"/> atomically.</summary>
    public static void WriteJson(string path, Action<Utf8JsonWriter> write)
    {
        Write(path, s =>
        {
            using var w = new Utf8JsonWriter(s, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            write(w);
            w.Flush();
            s.WriteByte((byte)'\n');
        });
    }

    /// <summary>Serialises <paramref name="value"/> with <paramref name="typeInfo"/> (indented) to <paramref name="path"/> atomically.</summary>
    public static void WriteJson<T>(string path, T value, JsonTypeInfo<T> typeInfo) => WriteJson(path, w => JsonSerializer.Serialize(w, value, typeInfo));

    /// <summary>Writes <paramref name="node"/> as indented JSON to <paramref name="path"/> atomically (non-finite numbers as null).</summary>
    public static void WriteJson(string path, JsonNode node) => WriteJson(path, w => FiniteJson.Write(w, node));

    static void TryDelete(string temp)
    {
        try { File.Delete(temp); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// fsyncs the directory so the rename itself survives a power cut (POSIX; Windows makes MoveFileEx durable
    /// on its own). Best effort: a file system that refuses it still got a complete, renamed file.
    /// </summary>
    public static void SyncDirectory(string dir)
    {
        if (OperatingSystem.IsWindows()) return;
        try
        {
            int fd = Posix.open(dir, 0 /* O_RDONLY */);
            if (fd < 0) return;
            Posix.fsync(fd);
            Posix.close(fd);
        }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
    }

    static partial class Posix
    {
        [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int open(string path, int flags);

        [LibraryImport("libc", SetLastError = true)]
        internal static partial int fsync(int fd);

        [LibraryImport("libc")]
        internal static partial int close(int fd);
    }
}
