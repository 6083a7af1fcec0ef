using Thermo.Blocks;
using Thermo.Tensors;

namespace Thermo.Tests.Blocks;

/// <summary>The compiled networks in models/ load, hold 8-bit couplings within the size budget, and run.</summary>
public class ShippedModelTests
{
    static string Models()
    {
        string root = RepositoryRoot.Path;
        return Path.Combine(root, "models");
    }

    [Theory]
    [InlineData("mnist", "mnist", 3)]
    [InlineData("fashion-mnist", "fashion-mnist", 3)]
    [InlineData("cifar10", "cifar10", 4)]
    public void Shipped_model_loads_with_8_bit_couplings_and_classifies(string name, string dataset, int blocks)
    {
        string dir = Path.Combine(Models(), name);
        var net = CompiledBlockNetFile.Load(dir);
        Assert.Equal(dataset, net.Dataset);
        Assert.Equal(10, net.Classes);
        Assert.Equal(blocks, net.Programs.Count);
        Assert.Contains("\"couplings\": \"I8\"", File.ReadAllText(Path.Combine(dir, CompiledBlockNetFile.ManifestName)));
        long bytes = Directory.EnumerateFiles(dir).Sum(f => new FileInfo(f).Length);
        Assert.InRange(bytes, 1, 6_000_000);
        // Every coupling is an integer level times its tensor's scale (the I8 files hold nothing else).
        foreach (var program in net.Programs)
            foreach (var c in program.Couplings)
            {
                var w = Thermo.Ising.CouplingQuantizer.Values(c);
                float scale = Thermo.Ising.CouplingQuantizer.Scale(w, 8);
                Assert.All(w, v => Assert.Equal(v, Thermo.Ising.CouplingQuantizer.Level(v, scale, 8) * scale));
            }
        // Two blank images run through all blocks and give scores for every class.
        int[] shape = net.InputShape;
        var images = new Tensor(new float[2 * shape[0] * shape[1] * shape[2]], 2, shape[0], shape[1], shape[2]);
        var r = new BlockPipeline(net).Evaluate(images, BlockSchedule.Uniform(blocks, 4, burnIn: 1), chains: 1, seed: 1);
        Assert.Equal(2 * 10, r.Scores.Length);
        Assert.All(r.Scores, s => Assert.InRange(s, -1f, 1f));
    }
}
