using System.Security.Cryptography;
using System.Text;
using Thermo.Kernels;
using Thermo.Tensors;

namespace Thermo.Data;

/// <summary>
/// Reads labelled images stored as files: <c>split/class/*.png|jpg|jpeg</c> (or <c>class/*</c>, read as the split
/// "all"), from a directory or a .tar / .tar.gz archive. Labels index the ordinal-sorted union of class folder
/// names over all splits; images are ordered by path. All images must share one size; they are stored grey
/// (C = 1) when every file is grey, RGB (C = 3) otherwise. Decoding runs on all <see cref="ParallelRange.Threads"/>.
/// With a cache directory the decoded splits are written once to a <see cref="LabeledImagesFile"/> keyed by the
/// source's path, size and modification time, so later loads only read that file.
/// </summary>
public static class ImageFolderReader
{
    /// <summary>Split name given to a <c>class/*</c> layout without split folders.</summary>
    public const string AllSplit = "all";

    /// <summary>Reads one split; see <see cref="ReadAll"/>.</summary>
    public static LabeledImages Read(string path, string split, string? name = null, string? cacheDirectory = null, Action<string>? log = null)
    {
        var all = ReadAll(path, name, cacheDirectory, log);
        return all.FirstOrDefault(s => s.Split == split)
            ?? throw new ArgumentException($"{path}: no split '{split}'; it holds {string.Join(", ", all.Select(s => $"'{s.Split}'"))}", nameof(split));
    }

    /// <summary>Reads every split (ordered by name). <paramref name="name"/> defaults to the file or folder name.</summary>
    public static IReadOnlyList<LabeledImages> ReadAll(string path, string? name = null, string? cacheDirectory = null, Action<string>? log = null)
    {
        path = Path.GetFullPath(path);
        bool isDirectory = Directory.Exists(path);
        if (!isDirectory && !File.Exists(path)) throw new FileNotFoundException($"{path}: no such file or directory (expected an image folder or a .tar/.tar.gz of one)");
        name ??= DefaultName(path);

        List<(string Relative, string Real, long Length)>? files = isDirectory ? ListImageFiles(path) : null;
        string? cacheFile = null, key = null;
        if (cacheDirectory is not null)
        {
            key = CacheKey(path, name, files);
            cacheFile = Path.Combine(cacheDirectory, $"{name}-{key[..16]}.thimg");
            if (File.Exists(cacheFile))
            {
                try
                {
                    var (cachedKey, splits) = LabeledImagesFile.Read(cacheFile);
                    if (cachedKey == key) return splits;
                    log?.Invoke($"cache {cacheFile} belongs to another source; rebuilding");
                }
                catch (InvalidDataException e)
                {
                    log?.Invoke($"cache unusable ({e.Message}); rebuilding");
                }
            }
        }

        var decoded = Decode(path, name, isDirectory, files, log);
        if (cacheFile is not null)
        {
            try
            {
                LabeledImagesFile.Write(cacheFile, decoded, key!);
                log?.Invoke($"cached decoded images in {cacheFile}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log?.Invoke($"could not write cache {cacheFile}: {e.Message}");
            }
        }
        return decoded;
    }

    static string DefaultName(string path)
    {
        var file = Path.GetFileName(path.TrimEnd('/', Path.DirectorySeparatorChar));
        foreach (var suffix in new[] { ".tar.gz", ".tgz", ".tar" })
            if (file.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) return file[..^suffix.Length];
        return file;
    }

    static bool Skipped(string relative) =>
        relative.Split('/').Any(part => part.StartsWith('.') || part == "__MACOSX") || !ImageDecoder.IsImageName(relative);

    // Symbolic links are followed only while they stay inside the folder (DatasetRoot), and files are read by their real path.
    static List<(string Relative, string Real, long Length)> ListImageFiles(string directory) =>
        new DatasetRoot(directory).Files(8, relative => !Skipped(relative), DataLimits.MaxEntries);

    static string CacheKey(string path, string name, List<(string Relative, string Real, long Length)>? files)
    {
        var text = new StringBuilder($"thermo-imagefolder-v1\n{name}\n{path}\n");
        if (files is null)
        {
            var info = new FileInfo(path);
            text.Append(info.Length).Append('\n').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }
        else
        {
            foreach (var (relative, real, length) in files)
                text.Append(relative).Append('\t').Append(length).Append('\t').Append(File.GetLastWriteTimeUtc(real).Ticks).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    static IReadOnlyList<LabeledImages> Decode(string path, string name, bool isDirectory, List<(string Relative, string Real, long Length)>? files, Action<string>? log)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        string[] names;
        byte[][] data;
        SourceFile source;
        if (isDirectory)
        {
            long total = 0;
            foreach (var (relative, _, length) in files!)
            {
                if (length > DataLimits.MaxEntryBytes) throw new InvalidDataException($"{Path.Combine(path, relative)}: {length} bytes exceeds the {DataLimits.MaxEntryBytes}-byte limit for one image");
                total += length;
            }
            if (total > DataLimits.MaxPixelBytes) throw new InvalidDataException($"{path}: image files total {total} bytes, more than {DataLimits.MaxPixelBytes} (DataLimits.MaxPixelBytes)");
            names = files.Select(f => f.Relative).ToArray();
            var realPaths = files.Select(f => f.Real).ToArray();
            data = new byte[names.Length][];
            var hashes = new string[names.Length];
            var readErrors = new InvalidDataException?[names.Length];
            ParallelRange.For(names.Length, 64, (start, end) =>
            {
                for (int i = start; i < end; i++)
                {
                    try
                    {
                        data[i] = File.ReadAllBytes(realPaths[i]);
                        hashes[i] = Convert.ToHexStringLower(SHA256.HashData(data[i]));
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        readErrors[i] = new InvalidDataException($"{Describe(path, names[i])}: unreadable file ({e.Message})", e);
                    }
                }
            });
            ThrowFirst(readErrors);
            // Directory checksum: SHA-256 of the `sha256sum`-style listing "<hash>  <relative path>\n", sorted by path.
            var listing = new StringBuilder();
            for (int i = 0; i < names.Length; i++) listing.Append(hashes[i]).Append("  ").Append(names[i]).Append('\n');
            source = new SourceFile(path, total, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString()))));
        }
        else
        {
            var entries = TarArchive.ReadEntries(path, entry => !Skipped(entry));
            entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            for (int i = 1; i < entries.Count; i++)
                if (entries[i].Name == entries[i - 1].Name) throw new InvalidDataException($"{path}: entry '{entries[i].Name}' appears twice");
            names = entries.Select(e => e.Name).ToArray();
            data = entries.Select(e => e.Data).ToArray();
            source = SourceFile.Of(path);
        }
        if (names.Length == 0) throw new InvalidDataException($"{path}: no .png/.jpg/.jpeg images found (expected split/class/image or class/image)");

        var (splitOf, classOf, splitNames, classNames) = ParseLayout(path, names);

        var infos = new ImageDecoder.Info[names.Length];
        var errors = new InvalidDataException?[names.Length];
        ParallelRange.For(names.Length, 64, (start, end) =>
        {
            for (int i = start; i < end; i++)
            {
                try { infos[i] = ImageDecoder.Probe(data[i], Describe(path, names[i])); }
                catch (InvalidDataException e) { errors[i] = e; }
            }
        });
        ThrowFirst(errors);

        int width = infos[0].Width, height = infos[0].Height;
        bool colour = false;
        for (int i = 0; i < infos.Length; i++)
        {
            if (infos[i].Width != width || infos[i].Height != height)
                throw new InvalidDataException($"{Describe(path, names[i])}: image is {infos[i].Width}x{infos[i].Height}, expected {width}x{height} like '{names[0]}' (all images of a folder must share one size)");
            colour |= infos[i].Colour;
        }
        int channels = colour ? 3 : 1;

        var result = new List<LabeledImages>();
        for (int s = 0; s < splitNames.Count; s++)
        {
            var members = Enumerable.Range(0, names.Length).Where(i => splitOf[i] == s).ToArray();
            long bytes = (long)members.Length * channels * height * width;
            if (bytes > DataLimits.MaxPixelBytes)
                throw new InvalidDataException($"{path}: split '{splitNames[s]}' would decode to {bytes} bytes, more than {DataLimits.MaxPixelBytes} (DataLimits.MaxPixelBytes)");
            var pixels = GC.AllocateUninitializedArray<byte>((int)bytes);
            var labels = new int[members.Length];
            int imageSize = channels * height * width;
            ParallelRange.For(members.Length, 64, (start, end) =>
            {
                for (int k = start; k < end; k++)
                {
                    int i = members[k];
                    labels[k] = classOf[i];
                    try { ImageDecoder.DecodeChw(data[i], Describe(path, names[i]), channels, width, height, pixels.AsSpan(k * imageSize, imageSize)); }
                    catch (InvalidDataException e) { errors[i] = e; }
                }
            });
            ThrowFirst(errors);
            result.Add(new LabeledImages(name, splitNames[s], channels, height, width, pixels, labels, classNames, [source]));
        }
        log?.Invoke($"decoded {names.Length} images of {path} in {started.Elapsed.TotalSeconds:F2} s");
        return result;
    }

    static string Describe(string path, string entry) => $"{path}: {entry}";

    static void ThrowFirst(InvalidDataException?[] errors)
    {
        foreach (var e in errors) if (e is not null) throw new InvalidDataException(e.Message, e);
    }

    static (int[] SplitOf, int[] ClassOf, List<string> Splits, string[] Classes) ParseLayout(string path, string[] names)
    {
        var parts = names.Select(n => n.Split('/')).ToArray();
        // Strip wrapper folders (e.g. "cifar10/train/cat/1.jpg") shared by every entry.
        int skip = 0;
        while (parts.All(p => p.Length - skip > 3) && parts.All(p => p[skip] == parts[0][skip])) skip++;
        int depth = parts[0].Length - skip;
        for (int i = 0; i < parts.Length; i++)
        {
            int d = parts[i].Length - skip;
            if (d != depth || d is < 2 or > 3)
                throw new InvalidDataException($"{path}: '{names[i]}' does not fit the layout of '{names[0]}'; expected every image at split/class/image or every image at class/image");
        }
        var splits = depth == 3 ? parts.Select(p => p[skip]).Distinct().Order(StringComparer.Ordinal).ToList() : [AllSplit];
        var classes = parts.Select(p => p[skip + depth - 2]).Distinct().Order(StringComparer.Ordinal).ToArray();
        var splitIndex = splits.Select((s, i) => (s, i)).ToDictionary(x => x.s, x => x.i, StringComparer.Ordinal);
        var classIndex = classes.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        var splitOf = parts.Select(p => depth == 3 ? splitIndex[p[skip]] : 0).ToArray();
        var classOf = parts.Select(p => classIndex[p[skip + depth - 2]]).ToArray();
        return (splitOf, classOf, splits, classes);
    }
}
