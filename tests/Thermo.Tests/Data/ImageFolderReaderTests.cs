using Thermo.Data;

namespace Thermo.Tests.Data;

public class ImageFolderReaderTests
{
    const int W = 6, H = 5;

    // split/class/file → (HWC pixels, channels); "b" sorts before "c", so labels are bird=0, cat=1.
    static List<(string Name, byte[] Hwc)> Images(int channels) =>
    [
        ("train/cat/0.png", TestFiles.Bytes(W * H * channels, 1)),
        ("train/bird/0.png", TestFiles.Bytes(W * H * channels, 2)),
        ("train/bird/1.png", TestFiles.Bytes(W * H * channels, 3)),
        ("test/cat/7.png", TestFiles.Bytes(W * H * channels, 4)),
    ];

    static List<(string, byte[])> Encoded(List<(string Name, byte[] Hwc)> images, int channels) =>
        images.Select(i => (i.Name, TestFiles.Png(i.Hwc, W, H, channels))).ToList();

    static void WriteTree(TempDirectory dir, string root, IEnumerable<(string Name, byte[] Data)> files)
    {
        foreach (var (name, data) in files) dir.Write($"{root}/{name}", data);
    }

    [Fact]
    public void Reads_split_class_png_folders_into_CHW_with_sorted_class_labels()
    {
        using var dir = new TempDirectory();
        var images = Images(3);
        WriteTree(dir, "set", Encoded(images, 3));
        var splits = ImageFolderReader.ReadAll(dir.File("set"));
        Assert.Equal(["test", "train"], splits.Select(s => s.Split));
        var train = splits[1];
        Assert.Equal((3, 3, H, W), (train.Count, train.Channels, train.Height, train.Width));
        Assert.Equal(["bird", "cat"], train.ClassNames);
        // Ordered by path: bird/0, bird/1, cat/0.
        Assert.Equal([0, 0, 1], train.Labels);
        Assert.Equal(TestFiles.ToChw(images[1].Hwc, W, H, 3), train.Image(0).ToArray());
        Assert.Equal(TestFiles.ToChw(images[2].Hwc, W, H, 3), train.Image(1).ToArray());
        Assert.Equal(TestFiles.ToChw(images[0].Hwc, W, H, 3), train.Image(2).ToArray());
        Assert.Equal([1], splits[0].Labels);
        Assert.Equal(2, splits[0].ClassCount);
        Assert.Equal("set", train.Name);
    }

    [Theory]
    [InlineData("set.tar", false)]
    [InlineData("set.tar.gz", true)]
    [InlineData("set.tgz", true)]
    public void Reads_tar_archives_exactly_like_the_directory(string file, bool gzip)
    {
        using var dir = new TempDirectory();
        var encoded = Encoded(Images(3), 3);
        WriteTree(dir, "set", encoded);
        var archive = dir.Write(file, TestFiles.Tar(encoded.Select(e => ($"set/{e.Item1}", e.Item2)), gzip));
        var fromDir = ImageFolderReader.ReadAll(dir.File("set"));
        var fromTar = ImageFolderReader.ReadAll(archive);
        Assert.Equal(fromDir.Count, fromTar.Count);
        for (int s = 0; s < fromDir.Count; s++)
        {
            Assert.Equal(fromDir[s].Pixels, fromTar[s].Pixels);
            Assert.Equal(fromDir[s].Labels, fromTar[s].Labels);
            Assert.Equal(fromDir[s].ClassNames, fromTar[s].ClassNames);
        }
        Assert.Equal("set", fromTar[0].Name);
    }

    [Fact]
    public void Grey_images_give_one_channel_a_colour_one_makes_all_rgb_and_jpeg_decodes_close()
    {
        using var dir = new TempDirectory();
        var grey = TestFiles.SmoothImage(16, 16, 1, 1);
        var colour = TestFiles.SmoothImage(16, 16, 3, 2);
        dir.Write("grey/a/x.png", TestFiles.Png(grey, 16, 16, 1));
        dir.Write("grey/b/y.png", TestFiles.Png(grey, 16, 16, 1));
        var g = ImageFolderReader.Read(dir.File("grey"), ImageFolderReader.AllSplit);
        Assert.Equal(1, g.Channels);
        Assert.Equal(grey, g.Image(1).ToArray());

        // stb_image_write's JPEGs are always YCbCr, so this folder is RGB and the grey PNG is replicated.
        dir.Write("mixed/a/x.png", TestFiles.Png(grey, 16, 16, 1));
        dir.Write("mixed/b/y.jpeg", TestFiles.Jpeg(colour, 16, 16, 3));
        var c = ImageFolderReader.Read(dir.File("mixed"), ImageFolderReader.AllSplit);
        Assert.Equal(3, c.Channels);
        Assert.Equal(grey.Concat(grey).Concat(grey).ToArray(), c.Image(0).ToArray());
        var chw = TestFiles.ToChw(colour, 16, 16, 3);
        Assert.True(MaxDifference(chw, c.Image(1)) <= 24, $"colour JPEG differs by {MaxDifference(chw, c.Image(1))}");
    }

    static int MaxDifference(byte[] a, ReadOnlySpan<byte> b)
    {
        int max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    [Fact]
    public void Ignores_hidden_and_non_image_files()
    {
        using var dir = new TempDirectory();
        WriteTree(dir, "set", Encoded(Images(1), 1));
        dir.Write("set/README.txt", "hello"u8.ToArray());
        dir.Write("set/train/cat/._0.png", [1, 2, 3]);
        dir.Write("set/.cache/x/y.png", [1, 2, 3]);
        Assert.Equal(3, ImageFolderReader.Read(dir.File("set"), "train").Count);
    }

    [Fact]
    public void Images_of_different_sizes_are_refused_naming_both()
    {
        using var dir = new TempDirectory();
        dir.Write("set/train/a/0.png", TestFiles.Png(new byte[W * H], W, H, 1));
        var odd = dir.Write("set/train/b/0.png", TestFiles.Png(new byte[W * (H + 1)], W, H + 1, 1));
        var e = Assert.Throws<InvalidDataException>(() => ImageFolderReader.ReadAll(dir.File("set")));
        Assert.Contains("train/b/0.png", e.Message);
        Assert.Contains($"expected {W}x{H}", e.Message);
        Assert.Contains("train/a/0.png", e.Message);
    }

    [Fact]
    public void An_unreadable_image_is_refused_naming_it()
    {
        using var dir = new TempDirectory();
        dir.Write("set/train/a/0.png", TestFiles.Png(new byte[W * H], W, H, 1));
        dir.Write("set/train/a/1.jpg", "definitely not a jpeg"u8.ToArray());
        var e = Assert.Throws<InvalidDataException>(() => ImageFolderReader.ReadAll(dir.File("set")));
        Assert.Contains("train/a/1.jpg", e.Message);
        Assert.Contains("unreadable image", e.Message);
    }

    [Fact]
    public void A_truncated_png_is_refused()
    {
        using var dir = new TempDirectory();
        var png = TestFiles.Png(TestFiles.Bytes(W * H, 5), W, H, 1);
        dir.Write("set/a/0.png", png[..(png.Length - 20)]);
        Assert.Contains("PNG", Assert.Throws<InvalidDataException>(() => ImageFolderReader.ReadAll(dir.File("set"))).Message);
    }

    [Fact]
    public void Mixed_layouts_and_empty_folders_are_refused()
    {
        using var dir = new TempDirectory();
        dir.Write("set/train/a/0.png", TestFiles.Png(new byte[W * H], W, H, 1));
        dir.Write("set/b/0.png", TestFiles.Png(new byte[W * H], W, H, 1));
        Assert.Contains("layout", Assert.Throws<InvalidDataException>(() => ImageFolderReader.ReadAll(dir.File("set"))).Message);
        Directory.CreateDirectory(dir.File("empty"));
        Assert.Contains("no .png/.jpg/.jpeg images", Assert.Throws<InvalidDataException>(() => ImageFolderReader.ReadAll(dir.File("empty"))).Message);
    }

    [Fact]
    public void An_image_claiming_a_huge_size_is_refused_before_decoding()
    {
        using var dir = new TempDirectory();
        var png = TestFiles.Png(new byte[W * H], W, H, 1);
        // IHDR width at bytes 16..19: claim 1,000,000 pixels wide.
        png[16] = 0; png[17] = 0x0F; png[18] = 0x42; png[19] = 0x40;
        dir.Write("set/a/0.png", png);
        Assert.Contains("DataLimits.MaxSide", Assert.Throws<InvalidDataException>(() => ImageFolderReader.ReadAll(dir.File("set"))).Message);
    }

    [Fact]
    public void Second_load_reads_the_cache_and_a_changed_source_invalidates_it()
    {
        using var dir = new TempDirectory();
        var encoded = Encoded(Images(3), 3);
        var archive = dir.Write("set.tar.gz", TestFiles.Tar(encoded, gzip: true));
        var cache = dir.File("cache");
        var first = ImageFolderReader.ReadAll(archive, cacheDirectory: cache);
        var cacheFile = Directory.GetFiles(cache, "*.thimg").Single();

        // Prove the second load comes from the cache: plant a same-key cache with different pixels.
        var (key, splits) = LabeledImagesFile.Read(cacheFile);
        var marked = splits.Select(s => new LabeledImages(s.Name, s.Split, s.Channels, s.Height, s.Width,
            Enumerable.Repeat((byte)7, s.Pixels.Length).ToArray(), s.Labels, s.ClassNames, s.Sources)).ToList();
        LabeledImagesFile.Write(cacheFile, marked, key);
        Assert.All(ImageFolderReader.ReadAll(archive, cacheDirectory: cache), s => Assert.All(s.Pixels, p => Assert.Equal(7, p)));

        // A changed archive (new mtime) is decoded again.
        File.SetLastWriteTimeUtc(archive, DateTime.UtcNow.AddMinutes(5));
        var again = ImageFolderReader.ReadAll(archive, cacheDirectory: cache);
        Assert.Equal(first[1].Pixels, again[1].Pixels);
        Assert.Equal(first[1].Sources.Single().Sha256, again[1].Sources.Single().Sha256);
    }

    [Fact]
    public void A_corrupt_cache_is_rebuilt()
    {
        using var dir = new TempDirectory();
        WriteTree(dir, "set", Encoded(Images(1), 1));
        var cache = dir.File("cache");
        var first = ImageFolderReader.ReadAll(dir.File("set"), cacheDirectory: cache);
        var cacheFile = Directory.GetFiles(cache, "*.thimg").Single();
        var bytes = File.ReadAllBytes(cacheFile);
        File.WriteAllBytes(cacheFile, bytes[..(bytes.Length - 10)]);
        var messages = new List<string>();
        var rebuilt = ImageFolderReader.ReadAll(dir.File("set"), cacheDirectory: cache, log: messages.Add);
        Assert.Equal(first[1].Pixels, rebuilt[1].Pixels);
        Assert.Contains(messages, m => m.Contains("rebuilding"));
        Assert.Equal(bytes.Length, new FileInfo(cacheFile).Length);
    }
}
