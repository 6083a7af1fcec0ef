using Thermo.Data;

namespace Thermo.Tests.Data;

public class CifarReaderTests
{
    static byte[][] Images(int count, int seed) => Enumerable.Range(0, count).Select(i => TestFiles.Bytes(CifarReader.ImageBytes, seed * 1000 + i)).ToArray();

    static byte[] Cifar10Batch(byte[][] images, int firstLabel) =>
        TestFiles.CifarRecords(images.Select((_, i) => new[] { (byte)((firstLabel + i) % 10) }).ToArray(), images);

    static (byte[][] Train1, byte[][] Train2, byte[][] Test) WriteCifar10(TempDirectory dir, string folder = "cifar-10-batches-bin")
    {
        var (a, b, t) = (Images(3, 1), Images(2, 2), Images(4, 3));
        dir.Write($"{folder}/data_batch_1.bin", Cifar10Batch(a, 0));
        dir.Write($"{folder}/data_batch_2.bin", Cifar10Batch(b, 3));
        dir.Write($"{folder}/test_batch.bin", Cifar10Batch(t, 5));
        dir.Write($"{folder}/batches.meta.txt", "airplane\n"u8.ToArray());
        return (a, b, t);
    }

    [Fact]
    public void Reads_cifar10_train_batches_in_order_and_the_test_batch()
    {
        using var dir = new TempDirectory();
        var (a, b, t) = WriteCifar10(dir);
        var train = CifarReader.ReadCifar10(dir.Path, "train");
        Assert.Equal((5, 3, 32, 32), (train.Count, train.Channels, train.Height, train.Width));
        Assert.Equal(a.Concat(b).SelectMany(x => x).ToArray(), train.Pixels);
        Assert.Equal([0, 1, 2, 3, 4], train.Labels);
        Assert.Equal(2, train.Sources.Count);
        var test = CifarReader.ReadCifar10(Path.Combine(dir.Path, "cifar-10-batches-bin"), "test");
        Assert.Equal(t.SelectMany(x => x).ToArray(), test.Pixels);
        Assert.Equal([5, 6, 7, 8], test.Labels);
        Assert.Equal("cat", train.ClassNames[3]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_cifar10_from_a_tar_archive_like_the_directory(bool gzip)
    {
        using var dir = new TempDirectory();
        WriteCifar10(dir);
        var entries = Directory.EnumerateFiles(dir.File("cifar-10-batches-bin")).Select(f => ($"cifar-10-batches-bin/{Path.GetFileName(f)}", File.ReadAllBytes(f))).ToList();
        var archive = dir.Write(gzip ? "cifar-10-binary.tar.gz" : "cifar-10-binary.tar", TestFiles.Tar(entries, gzip));
        foreach (var split in new[] { "train", "test" })
        {
            var fromDir = CifarReader.ReadCifar10(dir.Path, split);
            var fromTar = CifarReader.ReadCifar10(archive, split);
            Assert.Equal(fromDir.Pixels, fromTar.Pixels);
            Assert.Equal(fromDir.Labels, fromTar.Labels);
            Assert.Equal(archive, fromTar.Sources.Single().Path);
        }
    }

    [Fact]
    public void Reads_a_single_bin_file()
    {
        using var dir = new TempDirectory();
        WriteCifar10(dir);
        var one = CifarReader.ReadCifar10(dir.File("cifar-10-batches-bin/data_batch_2.bin"), "train");
        Assert.Equal([3, 4], one.Labels);
    }

    [Fact]
    public void Reads_cifar100_fine_and_coarse_labels()
    {
        using var dir = new TempDirectory();
        var images = Images(3, 4);
        byte[][] labels = [[19, 99], [0, 0], [7, 42]];
        dir.Write("cifar-100-binary/train.bin", TestFiles.CifarRecords(labels, images));
        dir.Write("cifar-100-binary/test.bin", TestFiles.CifarRecords(labels[..1], images[..1]));
        var fine = CifarReader.ReadCifar100(dir.Path, "train");
        var coarse = CifarReader.ReadCifar100(dir.Path, "train", Cifar100Labels.Coarse);
        Assert.Equal([99, 0, 42], fine.Labels);
        Assert.Equal([19, 0, 7], coarse.Labels);
        Assert.Equal(100, fine.ClassCount);
        Assert.Equal(20, coarse.ClassCount);
        Assert.Equal("worm", fine.ClassNames[99]);
        Assert.Equal(images.SelectMany(x => x).ToArray(), fine.Pixels);
        Assert.Equal(1, CifarReader.ReadCifar100(dir.Path, "test").Count);
    }

    [Fact]
    public void A_batch_that_is_not_a_whole_number_of_records_is_refused()
    {
        using var dir = new TempDirectory();
        var batch = Cifar10Batch(Images(2, 1), 0);
        var path = dir.Write("test_batch.bin", batch[..^100]);
        var e = Assert.Throws<InvalidDataException>(() => CifarReader.ReadCifar10(dir.Path, "test"));
        Assert.Contains(path, e.Message);
        Assert.Contains("3073", e.Message);
    }

    [Fact]
    public void Labels_outside_the_class_range_are_refused()
    {
        using var dir = new TempDirectory();
        var images = Images(2, 1);
        dir.Write("test_batch.bin", TestFiles.CifarRecords([[3], [10]], images));
        Assert.Contains("label 10 of record 1", Assert.Throws<InvalidDataException>(() => CifarReader.ReadCifar10(dir.Path, "test")).Message);
        dir.Write("test.bin", TestFiles.CifarRecords([[3, 100], [1, 1]], images));
        Assert.Contains("label 100 of record 0", Assert.Throws<InvalidDataException>(() => CifarReader.ReadCifar100(dir.File("test.bin"), "test")).Message);
        dir.Write("train.bin", TestFiles.CifarRecords([[3, 5], [20, 1]], images));
        Assert.Contains("coarse label 20", Assert.Throws<InvalidDataException>(() => CifarReader.ReadCifar100(dir.File("train.bin"), "train")).Message);
    }

    [Fact]
    public void Missing_batches_and_truncated_archives_are_reported()
    {
        using var dir = new TempDirectory();
        Assert.Throws<FileNotFoundException>(() => CifarReader.ReadCifar10(dir.Path, "train"));
        var tar = TestFiles.Tar([("cifar-10-batches-bin/test_batch.bin", Cifar10Batch(Images(4, 1), 0))], gzip: true);
        var path = dir.Write("cifar-10-binary.tar.gz", tar[..(tar.Length * 2 / 3)]);
        var e = Assert.Throws<InvalidDataException>(() => CifarReader.ReadCifar10(path, "test"));
        Assert.Contains(path, e.Message);
    }
}
