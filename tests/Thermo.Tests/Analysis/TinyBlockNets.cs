using Thermo.Blocks;
using Thermo.Randomness;

namespace Thermo.Tests.Analysis;

/// <summary>Small initialised Ising-block networks for pipeline tests.</summary>
internal static class TinyBlockNets
{
    /// <summary>8×8 images → dense block (24 hidden, 16 outputs) → dense block (16 hidden, classes × population outputs).</summary>
    public static IsingBlockNet TwoDense(ulong seed, int classes = 4, int population = 3, float w2Scale = 3f)
    {
        var b0 = new IsingBlock(new DenseBlockCoupling([1, 8, 8], 24), new DenseBlockCoupling([24], 16), 0.5f);
        var b1 = new IsingBlock(new DenseBlockCoupling([16], 16), new DenseBlockCoupling([16], classes * population), 0.5f);
        var net = new IsingBlockNet([b0, b1], classes, population, 0.5f);
        net.Initialize(seed);
        foreach (var b in net.Blocks)
            for (int i = 0; i < b.Output.Weight.Length; i++) b.Output.Weight.Data[i] *= w2Scale;
        net.Eval();
        return net;
    }

    /// <summary>8×8 images → three dense blocks (24/16, 16/16, 16/classes × population).</summary>
    public static IsingBlockNet ThreeDense(ulong seed, int classes = 4, int population = 3, float w2Scale = 2f)
    {
        var b0 = new IsingBlock(new DenseBlockCoupling([1, 8, 8], 24), new DenseBlockCoupling([24], 16), 0.5f);
        var b1 = new IsingBlock(new DenseBlockCoupling([16], 16), new DenseBlockCoupling([16], 16), 0.5f);
        var b2 = new IsingBlock(new DenseBlockCoupling([16], 16), new DenseBlockCoupling([16], classes * population), 0.5f);
        var net = new IsingBlockNet([b0, b1, b2], classes, population, 0.5f);
        net.Initialize(seed);
        foreach (var b in net.Blocks)
            for (int i = 0; i < b.Output.Weight.Length; i++) b.Output.Weight.Data[i] *= w2Scale;
        net.Eval();
        return net;
    }

    /// <summary>Random images with pixels in [0, 1] as bytes and as floats, and labels.</summary>
    public static (byte[] Pixels, float[] Floats, int[] Labels) Images(int count, ulong seed, int classes = 4)
    {
        var pixels = new byte[count * 64];
        var floats = new float[count * 64];
        var labels = new int[count];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)(Philox.Uniform(seed, 1, (ulong)i) * 256);
            floats[i] = pixels[i] / 255f;
        }
        for (int i = 0; i < count; i++) labels[i] = (int)(Philox.Uniform(seed, 2, (ulong)i) * classes);
        return (pixels, floats, labels);
    }
}
