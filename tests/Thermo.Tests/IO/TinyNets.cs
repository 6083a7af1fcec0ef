using Thermo.Autograd;
using Thermo.Nn;
using Thermo.Optim;
using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Tests.IO;

/// <summary>Small networks and a few training steps for the I/O tests.</summary>
public static class TinyNets
{
    /// <summary>Conv → BN → ReLU → AvgPool → Flatten → Linear on [N, 1, 8, 8], 10 classes.</summary>
    public static Sequential ConvNet(ulong seed)
    {
        var net = new Sequential(
            new Conv2d(1, 4, 3, padding: 1), new BatchNorm(4), new Relu(), new AvgPool2d(2),
            new Flatten(), new Linear(4 * 4 * 4, 10));
        net.Initialize(seed);
        return net;
    }

    /// <summary>Uniform random input of the given shape from Philox(seed, 0).</summary>
    public static Tensor RandomInput(ulong seed, params int[] shape)
    {
        var t = new Tensor(new float[Tensor.ShapeSize(shape)], shape);
        Philox.FillUniform(seed, 0, 0, t.Data);
        for (int i = 0; i < t.Length; i++) t.Data[i] = 2 * t.Data[i] - 1;
        return t;
    }

    /// <summary>Runs <paramref name="steps"/> AdamW steps of cross-entropy on fixed random data.</summary>
    public static void Train(Module net, Optimizer opt, int steps, ulong dataSeed)
    {
        net.Train();
        for (int s = 0; s < steps; s++)
        {
            var x = RandomInput(dataSeed + (ulong)s, 4, 1, 8, 8);
            int[] labels = [s % 10, (s + 3) % 10, (s + 5) % 10, (s + 7) % 10];
            opt.ZeroGrad();
            F.CrossEntropy(net.Forward(x), labels).Backward();
            opt.Step();
        }
    }
}
