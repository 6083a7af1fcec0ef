using Thermo.Autograd;
using Thermo.Blocks;
using Thermo.IO;
using Thermo.Tensors;
using Thermo.Training;
using static Thermo.Tests.Autograd.GradCheck;

namespace Thermo.Tests.Blocks;

public class QuantizationTests
{
    static IsingBlockNet TrainedLikeNet(ulong seed)
    {
        var net = (IsingBlockNet)Presets.Get("quickstart").Spec.Build();
        net.Initialize(seed);
        // Non-trivial batch-norm statistics, as after training.
        foreach (var b in net.Blocks)
            for (int c = 0; c < b.HiddenNorm.Channels; c++)
            {
                b.HiddenNorm.RunningMean.Data[c] = 0.1f * (c % 5) - 0.2f;
                b.HiddenNorm.RunningVar.Data[c] = 0.5f + 0.05f * (c % 7);
                b.HiddenNorm.Gamma.Data[c] = 0.8f + 0.03f * (c % 4);
                b.HiddenNorm.Beta.Data[c] = 0.02f * (c % 3);
            }
        net.Eval();
        return net;
    }

    static Tensor Images(ulong seed)
    {
        var x = Random(seed, 1, 8, 1, 28, 28);
        for (int i = 0; i < x.Length; i++) x.Data[i] = (x.Data[i] + 1) / 2;
        return x;
    }

    [Fact]
    public void Folding_batch_norm_preserves_the_surrogate_and_the_compiled_program()
    {
        var net = TrainedLikeNet(3);
        var x = Images(4);
        using var _ = GradMode.NoGrad();
        var before = net.Forward(x).Data.ToArray();
        var programBefore = BlockCompiler.Compile(net.Blocks[0]);
        foreach (var b in net.Blocks) b.FoldNorm();
        var after = net.Forward(x).Data;
        for (int i = 0; i < before.Length; i++) Assert.True(MathF.Abs(before[i] - after[i]) < 1e-5f, $"score {i}: {before[i]} before folding, {after[i]} after");
        var programAfter = BlockCompiler.Compile(net.Blocks[0]);
        var spins = new sbyte[programBefore.SpinCount];
        for (int i = 0; i < spins.Length; i++) spins[i] = (sbyte)(i % 3 == 0 ? -1 : 1);
        Assert.Equal(programBefore.Energy(spins), programAfter.Energy(spins), 2);
    }

    [Fact]
    public void Compiled_network_counts_the_same_digital_macs_as_the_network_it_came_from()
    {
        // Conv blocks with padding (the quickstart) and 2×2 stride-2 outputs without (the cifar10 preset), then dense ones.
        foreach (var preset in new[] { "quickstart", "cifar10" })
        {
            var net = (IsingBlockNet)Presets.Get(preset).Spec.Build();
            net.Initialize(1);
            var compiled = CompiledBlockNet.From(net, preset, null, [net.Blocks[0].InputShape[0] / net.Thresholds.Length, .. net.Blocks[0].InputShape[1..]],
                Thermo.Data.Normalization.UnitRange, null);
            Assert.Equal(net.CouplingMacsPerSample, compiled.CouplingMacsPerSample);
            // Padding makes the MACs exceed the coupled pairs; without it they are the pairs.
            long pairs = compiled.Programs.Sum(p => p.Couplings.Sum(c => c.PairCount(p.Layers)));
            Assert.True(preset == "quickstart" ? pairs < compiled.CouplingMacsPerSample : pairs <= compiled.CouplingMacsPerSample, $"{preset}: {pairs} pairs, {compiled.CouplingMacsPerSample} MACs");
        }
    }

    [Theory]
    [InlineData(8)]
    [InlineData(6)]
    [InlineData(4)]
    public void Quantised_couplings_take_at_most_2_to_the_bits_minus_1_levels(int bits)
    {
        var net = TrainedLikeNet(5);
        BlockQuantizer.Prepare(net, bits, 0f);
        foreach (var b in net.Blocks)
            foreach (var c in new[] { b.Hidden, b.Output })
            {
                var values = c.EffectiveValues();
                Assert.True(values.Distinct().Count() <= (1 << bits) - 1, $"{c.Describe()}: {values.Distinct().Count()} levels at {bits} bits");
                float step = BlockOps.QuantStep(c.Weight.Data, c.Mask!.Data, bits);
                Assert.All(values, v => Assert.Equal(0, Math.IEEERemainder(v, step), 3));
            }
    }

    [Fact]
    public void Sparsification_removes_the_smallest_half_and_fake_quantisation_passes_masked_gradients()
    {
        var net = TrainedLikeNet(6);
        var original = net.Blocks[0].Output.Weight.Data.ToArray();
        BlockQuantizer.Prepare(net, 32, 0.5f);
        var c = net.Blocks[0].Output;
        var kept = c.EffectiveValues();
        Assert.Equal(original.Length / 2, kept.Count(v => v == 0));
        float threshold = original.Select(MathF.Abs).Order().ElementAt(original.Length / 2 - 1);
        for (int i = 0; i < kept.Length; i++)
            if (kept[i] != 0) Assert.True(MathF.Abs(original[i]) >= threshold);
        var w = Random(7, 1, 4, 5);
        var mask = new Tensor(Enumerable.Range(0, 20).Select(i => i % 3 == 0 ? 0f : 1f).ToArray(), 4, 5);
        var y = BlockOps.FakeQuantize(w, 4, mask);
        F.Sum(y).Backward();
        for (int i = 0; i < 20; i++) Assert.Equal(mask.Data[i], w.Grad!.Data[i]);
    }

    [Fact]
    public void A_quantised_checkpoint_rebuilds_the_same_machine()
    {
        var net = TrainedLikeNet(8);
        var spec = Presets.Get("quickstart").Spec;
        BlockQuantizer.Prepare(net, 4, 0.5f);
        var qspec = spec.WithQuantization(4, 0.5f);
        string path = Path.Combine(Path.GetTempPath(), $"thermo-q-{Guid.NewGuid():N}.safetensors");
        try
        {
            Checkpoint.Save(path, net, null, new CheckpointMetadata { ModelDefinition = qspec.ToJson() });
            var (_, loaded, _) = TrainingRun.Load(path);
            var back = Assert.IsType<IsingBlockNet>(loaded);
            Assert.Equal((4, 0.5f), back.Quantization);
            for (int b = 0; b < net.Blocks.Count; b++)
            {
                Assert.Equal(net.Blocks[b].Hidden.EffectiveValues(), back.Blocks[b].Hidden.EffectiveValues());
                Assert.Equal(net.Blocks[b].Output.EffectiveValues(), back.Blocks[b].Output.EffectiveValues());
            }
            var x = Images(9);
            using var _ = GradMode.NoGrad();
            Assert.Equal(net.Forward(x).Data, back.Forward(x).Data);
        }
        finally { File.Delete(path); }
    }
}
