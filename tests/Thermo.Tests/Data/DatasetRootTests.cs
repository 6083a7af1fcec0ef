using System.Text;
using Thermo.Data;

namespace Thermo.Tests.Data;

/// <summary>
/// Symbolic links in a dataset folder are followed only while they stay inside it, and error messages never echo a
/// file's bytes (issue 12, item 13).
/// </summary>
public class DatasetRootTests
{
    const int W = 6, H = 5;
    const string Secret = "root:x:0:0:SECRET-TOKEN-1234";

    static byte[] Png(int seed) => TestFiles.Png(TestFiles.Bytes(W * H, seed), W, H, 1);

    static void AssertEchoesNothingOf(string message, byte[] content)
    {
        Assert.DoesNotContain("SECRET", message);
        Assert.DoesNotContain("root:", message);
        // Nor the bytes in hex, in either case, however many of them.
        string hex = Convert.ToHexString(content.AsSpan(0, 4));
        Assert.DoesNotContain(hex, message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_file_link_out_of_an_image_folder_is_refused_naming_the_link_and_nothing_of_its_target_is_echoed()
    {
        using var dir = new TempDirectory();
        var secret = dir.Write("outside/passwd", Encoding.ASCII.GetBytes(Secret));
        dir.Write("set/train/a/0.png", Png(1));
        dir.Write("set/train/b/0.png", Png(2));
        File.CreateSymbolicLink(dir.File("set/train/a/1.png"), secret);
        foreach (var read in new Func<object>[] { () => ImageFolderReader.ReadAll(dir.File("set")), () => DatasetCatalog.Open(dir.File("set")) })
        {
            var e = Assert.Throws<InvalidDataException>(read);
            Assert.Contains("train/a/1.png", e.Message);
            Assert.Contains("leads out of the dataset folder", e.Message);
            AssertEchoesNothingOf(e.Message, Encoding.ASCII.GetBytes(Secret));
        }
    }

    [Fact]
    public void A_folder_link_out_of_an_image_folder_is_refused_before_anything_under_it_is_read()
    {
        using var dir = new TempDirectory();
        dir.Write("elsewhere/0.png", Png(3));
        dir.Write("set/train/a/0.png", Png(1));
        Directory.CreateSymbolicLink(dir.File("set/train/b"), dir.File("elsewhere"));
        var e = Assert.Throws<InvalidDataException>(() => ImageFolderReader.ReadAll(dir.File("set")));
        Assert.Contains("train/b", e.Message);
        Assert.Contains("leads out of the dataset folder", e.Message);
        // A link through a folder inside the root to a place outside it is out, too.
        using var dir2 = new TempDirectory();
        dir2.Write("outside/x.png", Png(4));
        dir2.Write("set/train/a/0.png", Png(1));
        Directory.CreateSymbolicLink(dir2.File("set/up"), dir2.Path);
        File.CreateSymbolicLink(dir2.File("set/train/a/1.png"), "../../up/outside/x.png");
        Assert.Contains("leads out of the dataset folder", Assert.Throws<InvalidDataException>(() => ImageFolderReader.ReadAll(dir2.File("set"))).Message);
    }

    [Fact]
    public void Links_that_stay_inside_the_folder_are_followed_and_a_linked_root_is_fine()
    {
        using var dir = new TempDirectory();
        dir.Write("set/train/a/0.png", Png(1));
        dir.Write("set/train/b/0.png", Png(2));
        File.CreateSymbolicLink(dir.File("set/train/a/1.png"), "../b/0.png");
        Directory.CreateSymbolicLink(dir.File("set/test"), "train");
        Directory.CreateSymbolicLink(dir.File("linked-set"), dir.File("set"));
        var splits = ImageFolderReader.ReadAll(dir.File("linked-set"));
        Assert.Equal(["test", "train"], splits.Select(s => s.Split));
        Assert.Equal(3, splits[1].Count);
        Assert.Equal(splits[1].Image(2).ToArray(), splits[1].Image(1).ToArray());
    }

    [Fact]
    public void A_link_to_nothing_is_refused_naming_it()
    {
        using var dir = new TempDirectory();
        dir.Write("set/a/0.png", Png(1));
        File.CreateSymbolicLink(dir.File("set/a/1.png"), dir.File("gone.png"));
        var e = Assert.Throws<InvalidDataException>(() => ImageFolderReader.ReadAll(dir.File("set")));
        Assert.Contains("a/1.png", e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void Cifar_and_idx_folders_refuse_links_out_of_them_too()
    {
        using var dir = new TempDirectory();
        var batch = TestFiles.CifarRecords([[1]], [TestFiles.Bytes(CifarReader.ImageBytes, 1)]);
        var outside = dir.Write("outside/test_batch.bin", batch);
        Directory.CreateDirectory(dir.File("cifar"));
        File.CreateSymbolicLink(dir.File("cifar/test_batch.bin"), outside);
        Assert.Contains("leads out of the dataset folder", Assert.Throws<InvalidDataException>(() => CifarReader.ReadCifar10(dir.File("cifar"), "test")).Message);

        var images = dir.Write("outside/t10k-images-idx3-ubyte", TestFiles.Idx(0x08, [1, 2, 2], new byte[4]));
        dir.Write("idx/t10k-labels-idx1-ubyte", TestFiles.Idx(0x08, [1], [0]));
        File.CreateSymbolicLink(dir.File("idx/t10k-images-idx3-ubyte"), images);
        var e = Assert.Throws<InvalidDataException>(() => DatasetCatalog.Open(dir.File("idx")));
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
        Assert.Contains("leads out of the dataset folder", e.Message);
    }

    [Fact]
    public void Damaged_files_are_described_in_words_never_by_their_bytes()
    {
        using var dir = new TempDirectory();
        var secret = Encoding.ASCII.GetBytes(Secret);
        dir.Write("set/a/0.png", Png(1));
        dir.Write("set/a/1.png", secret);
        var image = Assert.Throws<InvalidDataException>(() => ImageFolderReader.ReadAll(dir.File("set")));
        Assert.Contains("neither PNG nor JPEG (it starts with text)", image.Message);
        AssertEchoesNothingOf(image.Message, secret);

        var idx = dir.Write("x/train-images-idx3-ubyte", secret);
        var wrongMagic = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(idx));
        Assert.Contains("wrong magic number (it starts with text)", wrongMagic.Message);
        AssertEchoesNothingOf(wrongMagic.Message, secret);

        var zip = dir.Write("x/zip-images-idx3-ubyte", [0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4]);
        var zipMessage = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(zip)).Message;
        Assert.Contains("it starts like a ZIP archive", zipMessage);
        Assert.DoesNotContain("504b", zipMessage, StringComparison.OrdinalIgnoreCase);

        var gz = dir.Write("x/t10k-images-idx3-ubyte.gz", secret);
        var notGzip = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(gz));
        Assert.Contains("not a gzip file", notGzip.Message);
        Assert.DoesNotContain("726f", notGzip.Message, StringComparison.OrdinalIgnoreCase);
    }
}
