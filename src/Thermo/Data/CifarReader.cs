namespace Thermo.Data;

/// <summary>
/// Reads the CIFAR-10 and CIFAR-100 binary distributions (Krizhevsky 2009). A CIFAR-10 record is
/// <c>&lt;label&gt; &lt;3072 pixels&gt;</c>, a CIFAR-100 record <c>&lt;coarse&gt; &lt;fine&gt; &lt;3072 pixels&gt;</c>; the pixels are
/// 1024 red, 1024 green, 1024 blue bytes of a 32x32 image, row-major, i.e. already CHW.
/// Accepted sources: the extracted directory (or its parent), the standard .tar.gz, or one .bin file.
/// </summary>
public static class CifarReader
{
    /// <summary>Bytes of one 32x32 RGB image.</summary>
    public const int ImageBytes = 3 * 32 * 32;

    /// <summary>CIFAR-10 class names, in label order.</summary>
    public static IReadOnlyList<string> Cifar10ClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>CIFAR-100 fine class names, in label order.</summary>
    public static IReadOnlyList<string> Cifar100FineClassNames { get; } =
    [
        "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
        "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
        "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
        "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
        "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
        "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
        "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
        "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
        "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
        "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
    ];

    /// <summary>CIFAR-100 coarse (superclass) names, in label order.</summary>
    public static IReadOnlyList<string> Cifar100CoarseClassNames { get; } =
    [
        "aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables", "household_electrical_devices",
        "household_furniture", "insects", "large_carnivores", "large_man-made_outdoor_things", "large_natural_outdoor_scenes",
        "large_omnivores_and_herbivores", "medium_mammals", "non-insect_invertebrates", "people", "reptiles",
        "small_mammals", "trees", "vehicles_1", "vehicles_2",
    ];

    /// <summary>
    /// Reads a CIFAR-10 split: "train" = data_batch_1..5.bin, "test" = test_batch.bin, found in
    /// <paramref name="path"/> (a directory, its cifar-10-batches-bin subdirectory, or a .tar/.tar.gz), or
    /// <paramref name="path"/> itself when it is a .bin file.
    /// </summary>
    public static LabeledImages ReadCifar10(string path, string split) =>
        Read(path, split, new Layout("cifar10", 1, 0, Cifar10ClassNames,
            split switch
            {
                "train" => name => name.StartsWith("data_batch_", StringComparison.Ordinal) && name.EndsWith(".bin", StringComparison.Ordinal),
                "test" => name => name == "test_batch.bin",
                _ => throw new ArgumentException($"CIFAR-10 split must be 'train' or 'test', got '{split}'", nameof(split)),
            }));

    /// <summary>
    /// Reads a CIFAR-100 split ("train" = train.bin, "test" = test.bin) from a directory, its cifar-100-binary
    /// subdirectory, a .tar/.tar.gz, or one .bin file, labelled by fine (100) or coarse (20) classes.
    /// </summary>
    public static LabeledImages ReadCifar100(string path, string split, Cifar100Labels labels = Cifar100Labels.Fine) =>
        Read(path, split, new Layout("cifar100", 2, labels == Cifar100Labels.Coarse ? 0 : 1,
            labels == Cifar100Labels.Coarse ? Cifar100CoarseClassNames : Cifar100FineClassNames,
            split switch
            {
                "train" => name => name == "train.bin",
                "test" => name => name == "test.bin",
                _ => throw new ArgumentException($"CIFAR-100 split must be 'train' or 'test', got '{split}'", nameof(split)),
            }));

    sealed record Layout(string Name, int LabelBytes, int LabelIndex, IReadOnlyList<string> ClassNames, Func<string, bool> Wanted)
    {
        public int RecordBytes => LabelBytes + ImageBytes;
    }

    static LabeledImages Read(string path, string split, Layout layout)
    {
        var parts = new List<(string Name, byte[] Data)>();
        var sources = new List<SourceFile>();
        if (Directory.Exists(path))
        {
            var files = FindInDirectory(path, layout);
            if (files.Count == 0) throw new FileNotFoundException($"{path}: no {layout.Name} {split} batch files found (looked in it and its subdirectories one level down)");
            foreach (var file in files)
            {
                long length = new FileInfo(file).Length;
                CheckLength(file, length, layout);
                using var stream = File.OpenRead(file);
                parts.Add((file, DataFile.ReadBounded(stream, length, file, $"{layout.Name} records")));
                sources.Add(SourceFile.Of(file));
            }
        }
        else if (TarArchive.IsArchivePath(path))
        {
            var entries = TarArchive.ReadEntries(path, name => layout.Wanted(Path.GetFileName(name)));
            if (entries.Count == 0) throw new InvalidDataException($"{path}: archive holds no {layout.Name} {split} batch files");
            entries.Sort((a, b) => BatchOrder(a.Name, b.Name));
            foreach (var (name, data) in entries)
            {
                CheckLength($"{path}: {name}", data.Length, layout);
                parts.Add(($"{path}: {name}", data));
            }
            sources.Add(SourceFile.Of(path));
        }
        else if (File.Exists(path))
        {
            long length = new FileInfo(path).Length;
            CheckLength(path, length, layout);
            using var stream = File.OpenRead(path);
            parts.Add((path, DataFile.ReadBounded(stream, length, path, $"{layout.Name} records")));
            sources.Add(SourceFile.Of(path));
        }
        else throw new FileNotFoundException($"{path}: no such file or directory (expected {layout.Name} binary batches)");

        long count = 0;
        foreach (var (_, data) in parts) count += data.Length / layout.RecordBytes;
        if (count * ImageBytes > DataLimits.MaxPixelBytes)
            throw new InvalidDataException($"{path}: {count} images exceed the {DataLimits.MaxPixelBytes}-byte limit (DataLimits.MaxPixelBytes)");
        var pixels = GC.AllocateUninitializedArray<byte>((int)(count * ImageBytes));
        var labels = new int[count];
        int n = 0;
        foreach (var (name, data) in parts)
        {
            for (int offset = 0; offset < data.Length; offset += layout.RecordBytes, n++)
            {
                int label = data[offset + layout.LabelIndex];
                if (label >= layout.ClassNames.Count)
                    throw new InvalidDataException($"{name}: label {label} of record {offset / layout.RecordBytes} is outside the class range 0..{layout.ClassNames.Count - 1}");
                if (layout.LabelBytes == 2 && data[offset + 1 - layout.LabelIndex] >= (layout.LabelIndex == 1 ? Cifar100CoarseClassNames.Count : Cifar100FineClassNames.Count))
                    throw new InvalidDataException($"{name}: {(layout.LabelIndex == 1 ? "coarse" : "fine")} label {data[offset + 1 - layout.LabelIndex]} of record {offset / layout.RecordBytes} is out of range");
                labels[n] = label;
                data.AsSpan(offset + layout.LabelBytes, ImageBytes).CopyTo(pixels.AsSpan(n * ImageBytes, ImageBytes));
            }
        }
        return new LabeledImages(layout.Name, split, 3, 32, 32, pixels, labels, layout.ClassNames, sources);
    }

    static void CheckLength(string name, long length, Layout layout)
    {
        if (length == 0 || length % layout.RecordBytes != 0)
            throw new InvalidDataException($"{name}: {length} bytes is not a whole number of {layout.Name} records of {layout.RecordBytes} bytes (truncated or not a {layout.Name} batch)");
        if (length > DataLimits.MaxEntryBytes)
            throw new InvalidDataException($"{name}: {length} bytes exceeds the {DataLimits.MaxEntryBytes}-byte limit for one batch file (DataLimits.MaxEntryBytes)");
    }

    // Batch files reached through a symbolic link out of the directory are refused (DatasetRoot).
    static List<string> FindInDirectory(string directory, Layout layout)
    {
        var root = new DatasetRoot(directory);
        foreach (var candidate in new[] { directory }.Concat(Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal)))
        {
            var files = Directory.EnumerateFiles(candidate).Where(f => layout.Wanted(Path.GetFileName(f))).ToList();
            if (files.Count == 0) continue;
            files.Sort(BatchOrder);
            foreach (var file in files) root.Resolve(file);
            return files;
        }
        return [];
    }

    // data_batch_2 before data_batch_10: compare the trailing number, then the name.
    static int BatchOrder(string a, string b)
    {
        static long Number(string s)
        {
            var name = Path.GetFileNameWithoutExtension(s);
            int i = name.Length;
            while (i > 0 && char.IsAsciiDigit(name[i - 1])) i--;
            return i < name.Length && name.Length - i < 10 ? long.Parse(name[i..], System.Globalization.CultureInfo.InvariantCulture) : -1;
        }
        int byNumber = Number(a).CompareTo(Number(b));
        return byNumber != 0 ? byNumber : string.CompareOrdinal(a, b);
    }
}
