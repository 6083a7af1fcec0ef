using Thermo.Data;

namespace Thermo.Tests.Data;

public class IdxReaderTests
{
    static (string Images, string Labels, byte[] Pixels, byte[] Raw) Write(TempDirectory dir, int count = 5, int rows = 3, int columns = 4, bool gzip = false, string prefix = "train")
    {
        var pixels = TestFiles.Bytes(count * rows * columns, 1);
        var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
        var images = TestFiles.Idx(0x08, [count, rows, columns], pixels);
        var labelFile = TestFiles.Idx(0x08, [count], labels);
        string suffix = gzip ? ".gz" : "";
        return (dir.Write($"{prefix}-images-idx3-ubyte{suffix}", gzip ? TestFiles.Gzip(images) : images),
                dir.Write($"{prefix}-labels-idx1-ubyte{suffix}", gzip ? TestFiles.Gzip(labelFile) : labelFile), pixels, labels);
    }

    [Fact]
    public void Reads_plain_images_and_labels_as_one_channel_NCHW()
    {
        using var dir = new TempDirectory();
        var (images, labels, pixels, raw) = Write(dir);
        var data = IdxReader.Read(images, labels, "toy", "train");
        Assert.Equal((5, 1, 3, 4), (data.Count, data.Channels, data.Height, data.Width));
        Assert.Equal(pixels, data.Pixels);
        Assert.Equal(raw.Select(b => (int)b), data.Labels);
        Assert.Equal(10, data.ClassCount);
        Assert.Equal(2, data.Sources.Count);
        Assert.Equal(DataFileHash(images), data.Sources[0].Sha256);
    }

    static string DataFileHash(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void Reads_gzip_files_identically_to_plain_ones()
    {
        using var dir = new TempDirectory();
        var plain = Write(dir);
        var gz = Write(dir, gzip: true);
        var a = IdxReader.Read(plain.Images, plain.Labels, "toy", "train");
        var b = IdxReader.Read(gz.Images, gz.Labels, "toy", "train");
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.Equal(a.Labels, b.Labels);
    }

    [Fact]
    public void Recognises_gzip_by_magic_bytes_whatever_the_name()
    {
        using var dir = new TempDirectory();
        var labels = dir.Write("labels-idx1-ubyte", TestFiles.Gzip(TestFiles.Idx(0x08, [3], [1, 2, 3])));
        Assert.Equal([1, 2, 3], IdxReader.ReadLabels(labels));
    }

    static InvalidDataException Refused(Action read) => Assert.Throws<InvalidDataException>(read);

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(16)]
    [InlineData(40)]
    public void Truncated_images_file_is_refused_naming_the_file(int keep)
    {
        using var dir = new TempDirectory();
        var bytes = TestFiles.Idx(0x08, [5, 3, 4], TestFiles.Bytes(60, 1));
        var path = dir.Write("images-idx3-ubyte", bytes[..keep]);
        var e = Refused(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Truncated_gzip_is_refused()
    {
        using var dir = new TempDirectory();
        var gz = TestFiles.Gzip(TestFiles.Idx(0x08, [50, 8, 8], TestFiles.Bytes(3200, 2)));
        var path = dir.Write("images-idx3-ubyte.gz", gz[..(gz.Length / 2)]);
        var e = Refused(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Corrupt_gzip_data_is_refused()
    {
        using var dir = new TempDirectory();
        var gz = TestFiles.Gzip(TestFiles.Idx(0x08, [50, 8, 8], TestFiles.Bytes(3200, 2)));
        for (int i = 20; i < gz.Length - 8; i += 7) gz[i] ^= 0x5A;
        var path = dir.Write("images-idx3-ubyte.gz", gz);
        var e = Refused(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_gz_file_that_is_not_gzip_is_refused()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("images-idx3-ubyte.gz", TestFiles.Idx(0x08, [1, 2, 2], [1, 2, 3, 4]));
        var e = Refused(() => IdxReader.ReadImages(path));
        Assert.Contains("not a gzip file", e.Message);
        Assert.Contains("1f 8b", e.Message);
    }

    [Fact]
    public void Wrong_magic_number_is_refused()
    {
        using var dir = new TempDirectory();
        var bytes = TestFiles.Idx(0x08, [1, 2, 2], [1, 2, 3, 4]);
        bytes[0] = 0x50; bytes[1] = 0x4B; // a zip file, say
        var path = dir.Write("images-idx3-ubyte", bytes);
        var e = Refused(() => IdxReader.ReadImages(path));
        Assert.Contains("wrong magic number", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Non_byte_element_type_and_wrong_rank_are_refused()
    {
        using var dir = new TempDirectory();
        var floats = dir.Write("a-images-idx3-ubyte", TestFiles.Idx(0x0D, [1, 1, 1], [0, 0, 0, 0]));
        Assert.Contains("not supported", Refused(() => IdxReader.ReadImages(floats)).Message);
        var labelsAsImages = dir.Write("b-images-idx3-ubyte", TestFiles.Idx(0x08, [4], [1, 2, 3, 4]));
        Assert.Contains("rank 1, expected 3", Refused(() => IdxReader.ReadImages(labelsAsImages)).Message);
    }

    [Fact]
    public void Label_outside_the_class_range_is_refused()
    {
        using var dir = new TempDirectory();
        var images = dir.Write("images-idx3-ubyte", TestFiles.Idx(0x08, [3, 2, 2], new byte[12]));
        var labels = dir.Write("labels-idx1-ubyte", TestFiles.Idx(0x08, [3], [1, 12, 3]));
        var e = Refused(() => IdxReader.Read(images, labels, "toy", "train"));
        Assert.Contains("label 12 of image 1", e.Message);
        Assert.Contains("0..9", e.Message);
    }

    [Fact]
    public void Mismatched_image_and_label_counts_are_refused()
    {
        using var dir = new TempDirectory();
        var images = dir.Write("images-idx3-ubyte", TestFiles.Idx(0x08, [3, 2, 2], new byte[12]));
        var labels = dir.Write("labels-idx1-ubyte", TestFiles.Idx(0x08, [4], [1, 2, 3, 4]));
        var e = Refused(() => IdxReader.Read(images, labels, "toy", "train"));
        Assert.Contains("4 labels", e.Message);
        Assert.Contains("3 images", e.Message);
    }

    [Fact]
    public void Trailing_bytes_after_the_declared_data_are_refused()
    {
        using var dir = new TempDirectory();
        var bytes = TestFiles.Idx(0x08, [1, 2, 2], [1, 2, 3, 4, 5]);
        var path = dir.Write("images-idx3-ubyte", bytes);
        Assert.Contains("unexpected bytes after", Refused(() => IdxReader.ReadImages(path)).Message);
    }

    [Theory]
    [InlineData(int.MaxValue, 28, 28)]      // count beyond DataLimits.MaxCount
    [InlineData(60000, 60000, 60000)]       // side beyond DataLimits.MaxSide
    [InlineData(60000000, 100, 100)]        // total beyond DataLimits.MaxPixelBytes
    [InlineData(1, 0, 28)]                  // empty rows
    public void Absurd_header_sizes_are_refused_before_allocating(int count, int rows, int columns)
    {
        using var dir = new TempDirectory();
        foreach (var gzip in new[] { false, true })
        {
            var bytes = TestFiles.Idx(0x08, [count, rows, columns], new byte[16]);
            var path = dir.Write(gzip ? "x-images-idx3-ubyte.gz" : "x-images-idx3-ubyte", gzip ? TestFiles.Gzip(bytes) : bytes);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Refused(() => IdxReader.ReadImages(path));
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "refusal allocated more than 1 MiB");
            Assert.Contains(path, e.Message);
        }
    }

    [Fact]
    public void A_gzip_header_claiming_more_than_it_holds_costs_at_most_the_data_present()
    {
        using var dir = new TempDirectory();
        // Within the limits (500 MB) but the stream holds 16 bytes: the buffer must not be allocated up front.
        var path = dir.Write("images-idx3-ubyte.gz", TestFiles.Gzip(TestFiles.Idx(0x08, [500000, 32, 32], new byte[16])));
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Contains("truncated", Refused(() => IdxReader.ReadImages(path)).Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "allocated more than 16 MiB for a 16-byte stream");
    }
}
