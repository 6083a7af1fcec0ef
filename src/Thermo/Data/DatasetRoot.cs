using System.Runtime.InteropServices;

namespace Thermo.Data;

/// <summary>
/// The folder a dataset was given as, and the rule that nothing is read from outside it: every file is opened by
/// its real path (each symbolic link on the way resolved, as realpath(3) does), and a file or folder whose real
/// path lies outside the real path of the root is refused, naming the link, before a byte of it is read. Links
/// that stay inside the root are followed. The root itself may be a link.
/// </summary>
internal sealed partial class DatasetRoot
{
    readonly string real;

    /// <summary>The root as given, made absolute.</summary>
    public string Path { get; }

    /// <summary>A root at directory <paramref name="path"/>.</summary>
    public DatasetRoot(string path)
    {
        Path = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));
        real = RealPath(Path) ?? throw new DirectoryNotFoundException($"{Path}: no such directory");
    }

    /// <summary>
    /// The real path of <paramref name="path"/> (a file or folder under the root), or an
    /// <see cref="InvalidDataException"/> when a link takes it outside the root or nowhere.
    /// </summary>
    public string Resolve(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        string resolved = RealPath(full)
            ?? throw new InvalidDataException($"{full}: a symbolic link to nothing (its target does not exist)");
        if (!Inside(resolved))
            throw new InvalidDataException($"{full}: a symbolic link that leads out of the dataset folder '{Path}'; Thermo does not follow links out of a dataset " +
                                           "(copy the files into the folder, or give the folder they are in)");
        return resolved;
    }

    /// <summary>
    /// Files under the root, at most <paramref name="maxDepth"/> folders deep, as (path relative to the root with '/',
    /// real path, length), ordinal by relative path. Entries whose name starts with '.' and <c>__MACOSX</c> folders are
    /// not entered; <paramref name="wanted"/> picks files by relative path; at most <paramref name="maxFiles"/>.
    /// </summary>
    public List<(string Relative, string Real, long Length)> Files(int maxDepth, Func<string, bool> wanted, int maxFiles)
    {
        var files = new List<(string, string, long)>();
        var pending = new Stack<(string Directory, string Relative, int Depth)>();
        pending.Push((Path, "", 0));
        while (pending.Count > 0)
        {
            var (directory, relative, depth) = pending.Pop();
            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false }))
            {
                if (entry.Name.StartsWith('.') || entry.Name == "__MACOSX") continue;
                string rel = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
                string at = entry.LinkTarget is null ? entry.FullName : Resolve(entry.FullName);
                if (Directory.Exists(at))
                {
                    if (depth < maxDepth) pending.Push((at, rel, depth + 1));
                    continue;
                }
                if (!wanted(rel)) continue;
                if (files.Count >= maxFiles) throw new InvalidDataException($"{Path}: more than {maxFiles} files (DataLimits.MaxEntries)");
                files.Add((rel, at, new FileInfo(at).Length));
            }
        }
        files.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return files;
    }

    bool Inside(string resolved) =>
        resolved == real || resolved.StartsWith(real.EndsWith(System.IO.Path.DirectorySeparatorChar) ? real : real + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>realpath(3): the absolute path with every symbolic link, "." and ".." resolved; null if it does not exist.</summary>
    internal static string? RealPath(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            if (!File.Exists(path) && !Directory.Exists(path)) return null;
            var info = new FileInfo(path);
            return info.LinkTarget is null ? System.IO.Path.GetFullPath(path) : info.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
        }
        nint resolved = Posix.realpath(path, 0);
        if (resolved == 0) return null;
        try { return Marshal.PtrToStringUTF8(resolved); }
        finally { Posix.free(resolved); }
    }

    static partial class Posix
    {
        [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial nint realpath(string path, nint resolved);

        [LibraryImport("libc")]
        internal static partial void free(nint pointer);
    }
}
