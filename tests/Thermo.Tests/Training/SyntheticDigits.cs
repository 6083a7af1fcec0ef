using Thermo.Randomness;

namespace Thermo.Tests.Training;

/// <summary>
/// A tiny MNIST-shaped dataset written as IDX files: class c is a bright 6×6 square at one of ten positions,
/// with random pixel noise, so a small network can learn it in seconds.
/// </summary>
internal static class SyntheticDigits
{
    public static string Write(string dir, int train = 512, int test = 128, ulong seed = 3)
    {
        Directory.CreateDirectory(dir);
        WriteSplit(dir, "train", train, seed);
        WriteSplit(dir, "t10k", test, seed + 1);
        return dir;
    }

    static void WriteSplit(string dir, string prefix, int count, ulong seed)
    {
        var pixels = new byte[count * 784];
        var labels = new byte[count];
        for (int n = 0; n < count; n++)
        {
            int c = n % 10;
            labels[n] = (byte)c;
            int y0 = 3 + (c / 5) * 12, x0 = 2 + (c % 5) * 5;
            for (int p = 0; p < 784; p++)
            {
                int y = p / 28, x = p % 28;
                bool on = y >= y0 && y < y0 + 6 && x >= x0 && x < x0 + 4;
                float u = Philox.Uniform(seed, (ulong)n, (ulong)p);
                pixels[n * 784 + p] = (byte)(on ? (u < 0.9f ? 230 : 20) : (u < 0.05f ? 200 : 10));
            }
        }
        File.WriteAllBytes(Path.Combine(dir, $"{prefix}-images-idx3-ubyte"), Data.TestFiles.Idx(0x08, [count, 28, 28], pixels));
        File.WriteAllBytes(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte"), Data.TestFiles.Idx(0x08, [count], labels));
    }
}
