using CsCheck;
using Thermo.Data;

namespace Thermo.Tests.Data;

/// <summary>
/// Property tests on hostile files: valid files truncated, bit-flipped or with header fields overwritten by
/// random values. Every reader must return valid data or throw <see cref="InvalidDataException"/>; never hang,
/// crash, throw anything else, or allocate far beyond the input. THERMO_FUZZ_ITER raises the iteration count.
/// </summary>
public class HostileInputTests
{
    static readonly long Iterations = long.TryParse(Environment.GetEnvironmentVariable("THERMO_FUZZ_ITER"), out var n) ? n : 150;
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Truncations, 1–8 bit flips, or a random 32-bit value written over one of the first 64 bytes.</summary>
    static Gen<byte[]> Mutations(byte[] valid) => Gen.OneOf(
        Gen.Int[0, valid.Length - 1].Select(length => valid[..length]),
        Gen.Int[0, valid.Length * 8 - 1].Array[1, 8].Select(bits =>
        {
            var copy = (byte[])valid.Clone();
            foreach (int bit in bits) copy[bit >> 3] ^= (byte)(1 << (bit & 7));
            return copy;
        }),
        Gen.Select(Gen.Int[0, Math.Min(64, valid.Length) - 4], Gen.UInt).Select((at, value) =>
        {
            var copy = (byte[])valid.Clone();
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(at), value);
            return copy;
        }));

    /// <summary>Writes the bytes to a fresh file and runs <paramref name="read"/> under a timeout and an allocation budget.</summary>
    static void ValidOrClearError(TempDirectory dir, string name, byte[] bytes, Action<string> read, long allocationBudget = 64L << 20)
    {
        var path = dir.Write($"{Guid.NewGuid():N}/{name}", bytes);
        long allocated = 0;
        var task = Task.Run(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { read(path); }
            catch (InvalidDataException e) { Assert.False(string.IsNullOrWhiteSpace(e.Message)); }
            finally { allocated = GC.GetAllocatedBytesForCurrentThread() - before; }
        });
        if (!task.Wait(Patience)) throw new TimeoutException($"reader did not finish within {Patience.TotalSeconds} s on a {bytes.Length}-byte {name}");
        task.GetAwaiter().GetResult();
        Assert.True(allocated < allocationBudget, $"reader allocated {allocated} bytes for a {bytes.Length}-byte {name}");
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    static byte[] IdxImages() => TestFiles.Idx(0x08, [6, 5, 4], TestFiles.Bytes(120, 3));

    [Fact]
    public void Idx_plain_files()
    {
        using var dir = new TempDirectory();
        Mutations(IdxImages()).Sample(bytes => ValidOrClearError(dir, "x-images-idx3-ubyte", bytes, p => IdxReader.ReadImages(p)), iter: Iterations);
    }

    [Fact]
    public void Idx_gzip_files()
    {
        using var dir = new TempDirectory();
        Mutations(TestFiles.Gzip(IdxImages())).Sample(bytes => ValidOrClearError(dir, "x-images-idx3-ubyte.gz", bytes, p => IdxReader.ReadImages(p)), iter: Iterations);
    }

    [Fact]
    public void Idx_headers_claiming_any_size_cost_little()
    {
        using var dir = new TempDirectory();
        var valid = IdxImages();
        foreach (var gzip in new[] { false, true })
            Gen.Select(Gen.Int[0, 2], Gen.UInt).Sample((dim, value) =>
            {
                var copy = (byte[])valid.Clone();
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(4 + 4 * dim), value);
                ValidOrClearError(dir, gzip ? "x-images-idx3-ubyte.gz" : "x-images-idx3-ubyte", gzip ? TestFiles.Gzip(copy) : copy,
                    p => IdxReader.ReadImages(p), allocationBudget: 16L << 20);
            }, iter: Iterations);
    }

    static byte[] CifarBatch() =>
        TestFiles.CifarRecords([[1], [7], [3]], Enumerable.Range(0, 3).Select(i => TestFiles.Bytes(CifarReader.ImageBytes, i)).ToArray());

    [Fact]
    public void Cifar_bin_files()
    {
        using var dir = new TempDirectory();
        Mutations(CifarBatch()).Sample(bytes => ValidOrClearError(dir, "test_batch.bin", bytes, p => CifarReader.ReadCifar10(p, "test")), iter: Iterations);
        Mutations(CifarBatch()).Sample(bytes => ValidOrClearError(dir, "test.bin", bytes, p => CifarReader.ReadCifar100(p, "test")), iter: Iterations);
    }

    [Fact]
    public void Cifar_tar_gz_archives()
    {
        using var dir = new TempDirectory();
        var valid = TestFiles.Tar([("cifar-10-batches-bin/test_batch.bin", CifarBatch())], gzip: true);
        Mutations(valid).Sample(bytes => ValidOrClearError(dir, "cifar-10-binary.tar.gz", bytes, p => CifarReader.ReadCifar10(p, "test")), iter: Iterations);
    }

    static List<(string, byte[])> SmallImages() =>
    [
        ("train/a/0.png", TestFiles.Png(TestFiles.SmoothImage(8, 8, 3, 1), 8, 8, 3)),
        ("train/b/0.jpg", TestFiles.Jpeg(TestFiles.SmoothImage(8, 8, 3, 2), 8, 8, 3)),
        ("test/a/1.png", TestFiles.Png(TestFiles.SmoothImage(8, 8, 1, 3), 8, 8, 1)),
    ];

    [Fact]
    public void Image_folder_tar_and_tar_gz_archives()
    {
        using var dir = new TempDirectory();
        foreach (var gzip in new[] { false, true })
        {
            var valid = TestFiles.Tar(SmallImages(), gzip);
            Mutations(valid).Sample(bytes => ValidOrClearError(dir, gzip ? "set.tar.gz" : "set.tar", bytes, p => ImageFolderReader.ReadAll(p)), iter: Iterations);
        }
    }

    [Fact]
    public void Png_and_jpeg_images()
    {
        using var dir = new TempDirectory();
        foreach (var (name, valid) in SmallImages().Append(("x.jpg", TestFiles.Jpeg(TestFiles.SmoothImage(32, 32, 3, 4), 32, 32, 3))))
        {
            Mutations(valid).Sample(bytes => ValidOrClearError(dir, Path.GetFileName(name), bytes, p =>
            {
                var data = File.ReadAllBytes(p);
                var info = ImageDecoder.Probe(data, p);
                int channels = info.Colour ? 3 : 1;
                ImageDecoder.DecodeChw(data, p, channels, info.Width, info.Height, new byte[channels * info.Width * info.Height]);
            }), iter: 2 * Iterations);
        }
    }

    [Fact]
    public void Thimg_cache_files()
    {
        using var dir = new TempDirectory();
        var path = dir.File("valid.thimg");
        LabeledImagesFile.Write(path, [new LabeledImages("t", "train", 1, 2, 3, TestFiles.Bytes(12, 1), [0, 1], ["a", "b"], [])], "key");
        Mutations(File.ReadAllBytes(path)).Sample(bytes => ValidOrClearError(dir, "x.thimg", bytes, p => LabeledImagesFile.Read(p)), iter: Iterations);
    }
}
