using System.Buffers.Binary;
using Thermo.Data;

namespace Thermo.Tests.Data;

public class LabeledImagesFileTests
{
    static LabeledImages Split(string split, int count, int seed) =>
        new("toy", split, 3, 4, 5, TestFiles.Bytes(count * 60, seed), Enumerable.Range(0, count).Select(i => i % 3).ToArray(),
            ["a", "b", "c"], [new SourceFile("/x/y.tar", 123, new string('0', 64))]);

    [Fact]
    public void Round_trips_every_field()
    {
        using var dir = new TempDirectory();
        var splits = new[] { Split("test", 2, 1), Split("train", 7, 2) };
        var path = dir.File("toy.thimg");
        LabeledImagesFile.Write(path, splits, "key-1");
        var (key, read) = LabeledImagesFile.Read(path);
        Assert.Equal("key-1", key);
        Assert.Equal(2, read.Count);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal((splits[i].Name, splits[i].Split, splits[i].Count, splits[i].Channels, splits[i].Height, splits[i].Width),
                         (read[i].Name, read[i].Split, read[i].Count, read[i].Channels, read[i].Height, read[i].Width));
            Assert.Equal(splits[i].Pixels, read[i].Pixels);
            Assert.Equal(splits[i].Labels, read[i].Labels);
            Assert.Equal(splits[i].ClassNames, read[i].ClassNames);
            Assert.Equal(splits[i].Sources, read[i].Sources);
        }
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void Truncated_and_foreign_files_are_refused()
    {
        using var dir = new TempDirectory();
        var path = dir.File("toy.thimg");
        LabeledImagesFile.Write(path, [Split("train", 3, 1)], "k");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^1]);
        Assert.Contains("truncated or corrupt", Assert.Throws<InvalidDataException>(() => LabeledImagesFile.Read(path)).Message);
        File.WriteAllBytes(path, "PK\x03\x04 not ours"u8.ToArray());
        Assert.Contains("wrong magic", Assert.Throws<InvalidDataException>(() => LabeledImagesFile.Read(path)).Message);
    }

    [Fact]
    public void A_header_claiming_a_huge_count_is_refused_before_allocating()
    {
        using var dir = new TempDirectory();
        var path = dir.File("toy.thimg");
        LabeledImagesFile.Write(path, [Split("train", 3, 1)], "k");
        var bytes = File.ReadAllBytes(path);
        // magic(8) + key(4+1) + split count(4) + name(4+3) + split(4+5) → image count.
        int at = 8 + 5 + 4 + 7 + 9;
        Assert.Equal(3, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at)));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), 60_000_000);
        File.WriteAllBytes(path, bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<InvalidDataException>(() => LabeledImagesFile.Read(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }
}
