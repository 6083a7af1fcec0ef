using CsCheck;
using Thermo.IO;

namespace Thermo.Tests.IO;

public class SafetensorsPropertyTests : IDisposable
{
    readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    static readonly string[] Names = ["w", "b", "layers.0.weight", "J", "h", "ä"];

    /// <summary>A valid safetensors file with up to five tensors of mixed dtypes and metadata.</summary>
    static readonly Gen<byte[]> ValidFile =
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, int.MaxValue], (count, seed) =>
        {
            var rng = new Random(seed);
            var w = new SafetensorsWriter();
            for (int i = 0; i < count; i++)
            {
                var shape = Enumerable.Range(0, rng.Next(0, 4)).Select(_ => rng.Next(0, 4)).ToArray();
                int n = shape.Aggregate(1, (p, d) => p * d);
                string name = Names[i] + (rng.Next(2) == 0 ? "" : "_" + i);
                switch (rng.Next(4))
                {
                    case 0: w.Add<float>(name, Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray(), shape); break;
                    case 1: w.Add<sbyte>(name, Enumerable.Range(0, n).Select(_ => (sbyte)rng.Next(-128, 128)).ToArray(), shape); break;
                    case 2: w.Add<int>(name, Enumerable.Range(0, n).Select(_ => rng.Next()).ToArray(), shape); break;
                    default: w.Add<Half>(name, Enumerable.Range(0, n).Select(_ => (Half)rng.NextDouble()).ToArray(), shape); break;
                }
            }
            if (rng.Next(2) == 0) w.Metadata["k"] = "v" + new string('é', rng.Next(5));
            using var ms = new MemoryStream();
            w.WriteTo(ms);
            return ms.ToArray();
        });

    /// <summary>Opens and reads every tensor; returns normally or throws only <see cref="InvalidDataException"/>.</summary>
    static void ReadEverything(byte[] bytes) => ReadEverything(bytes, () => SafetensorsReader.Open(new MemoryStream(bytes, writable: false), "fuzz.safetensors"), "fuzz.safetensors");

    /// <summary>Same through a real file (slower: a file create costs milliseconds here).</summary>
    void ReadEverythingFromDisk(byte[] bytes)
    {
        string path = dir.File(Guid.NewGuid().ToString("N") + ".safetensors");
        File.WriteAllBytes(path, bytes);
        try { ReadEverything(bytes, () => SafetensorsReader.Open(path), path); }
        finally { File.Delete(path); }
    }

    static void ReadEverything(byte[] bytes, Func<SafetensorsReader> open, string name)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            using var r = open();
            foreach (var e in r.Entries)
            {
                var t = r.ReadTensor(e.Name);
                Assert.Equal(e.ElementCount, t.Length);
            }
        }
        catch (InvalidDataException e)
        {
            Assert.Contains(name, e.Message);
        }
        // The stated bound: reading costs O(file length) (float conversion of 1-byte types is 4×), never what a header claims.
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= 16L * bytes.Length + 512 * 1024, $"allocated {allocated} bytes for a {bytes.Length}-byte file");
    }

    [Fact]
    public void Valid_files_always_read_back()
    {
        ValidFile.Sample(ReadEverything, iter: 300, threads: 1);
    }

    [Fact]
    public void Damaged_files_give_data_or_a_clear_error_within_the_allocation_bound()
    {
        Gen.Select(ValidFile, HostileFiles.DamageGen, Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue], HostileFiles.ClaimedLength)
            .Sample((file, damage, a, b, claimed) => ReadEverything(HostileFiles.Corrupt(file, damage, a, b, claimed)), iter: 3000, threads: 1);
    }

    [Fact]
    public void Damaged_files_on_disk_give_data_or_a_clear_error()
    {
        Gen.Select(ValidFile, HostileFiles.DamageGen, Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue], HostileFiles.ClaimedLength)
            .Sample((file, damage, a, b, claimed) => ReadEverythingFromDisk(HostileFiles.Corrupt(file, damage, a, b, claimed)), iter: 60, threads: 1);
    }

    [Fact]
    public void Random_bytes_give_a_clear_error()
    {
        Gen.Byte.Array[0, 200].Sample(ReadEverything, iter: 300, threads: 1);
    }
}
