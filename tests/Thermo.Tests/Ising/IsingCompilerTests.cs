using Thermo.Ising;
using Thermo.Nn;
using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Tests.Ising;

public class IsingCompilerTests
{
    static sbyte[] RandomSpins(int n, ulong seed) => Enumerable.Range(0, n).Select(i => Philox.Uniform(seed, 0, (ulong)i) < 0.5f ? (sbyte)1 : (sbyte)-1).ToArray();

    static void Randomize(BatchNorm bn, ulong seed)
    {
        for (int c = 0; c < bn.Channels; c++)
        {
            bn.Gamma.Data[c] = 0.5f + Philox.Uniform(seed, 1, (ulong)c);
            bn.Beta.Data[c] = Philox.Uniform(seed, 2, (ulong)c) - 0.5f;
            bn.RunningMean.Data[c] = Philox.Uniform(seed, 3, (ulong)c) - 0.5f;
            bn.RunningVar.Data[c] = 0.5f + Philox.Uniform(seed, 4, (ulong)c);
        }
    }

    /// <summary>
    /// At β = δ = 1 the feed-forward mean field of the compiled program is the network's forward pass: every
    /// folded batch norm and pooling must reproduce the network's activations, and the output spins' mean
    /// field is tanh of the logits.
    /// </summary>
    [Fact]
    public void Feed_forward_mean_field_of_the_program_is_the_networks_forward_pass()
    {
        var bn1 = new BatchNorm(4);
        var bn2 = new BatchNorm(6);
        var model = new Sequential(
            new Nn.Conv2d(2, 4, 3, stride: 1, padding: 1), bn1, new Tanh(),
            new AvgPool2d(2),
            new Nn.Conv2d(4, 6, 3, stride: 2, padding: 1, groups: 2), bn2, new Tanh(),
            new Dropout(0.3f),
            new Nn.Flatten(), new Linear(6 * 2 * 2, 5), new Tanh(),
            new Linear(5, 3));
        model.Initialize(7);
        Randomize(bn1, 11); Randomize(bn2, 12);
        model.Eval();
        var program = new IsingCompiler().Compile(model, [2, 8, 8]);

        Assert.Equal(5, program.Layers.Count);
        Assert.Equal(new[] { 4, 8, 8 }, program.Layers[1].Shape);
        Assert.Equal(new[] { 6, 2, 2 }, program.Layers[2].Shape);
        Assert.Equal(new[] { 3 }, program.Layers[4].Shape);
        Assert.Equal(CouplingKind.Conv, program.Couplings[1].Kind); // pooled conv: kernel 6, stride 4, padding 2

        var x = RandomSpins(2 * 8 * 8, 3);
        var mf = MeanField.FeedForward(program, x);
        // The network's activations, layer by layer.
        using var scope = new TensorScope();
        var t = Tensor.FromArray(x.Select(v => (float)v).ToArray(), 1, 2, 8, 8);
        var acts = new List<float[]>();
        foreach (var m in model.Layers)
        {
            t = m.Forward(t);
            if (m is Tanh) acts.Add(t.Data.ToArray());
        }
        acts.Add(t.Data.Select(v => MathF.Tanh(v)).ToArray()); // output spins: tanh(logits)
        for (int l = 1; l < program.Layers.Count; l++)
        {
            int off = program.LayerOffsets[l];
            var expected = acts[l - 1];
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(mf[off + i] - expected[i]) < 2e-4, $"layer {l} spin {i}: mean field {mf[off + i]:F5}, network {expected[i]:F5}");
        }
    }

    [Fact]
    public void Temperature_gradient_and_beta_are_applied_per_layer()
    {
        var model = new Sequential(new Linear(4, 3), new HardTanh(), new Linear(3, 2), new SignSte());
        model.Initialize(1);
        var program = new IsingCompiler { Beta = 2f, Delta = 0.5f }.Compile(model, [4]);
        Assert.Equal(2f, program.Beta);
        Assert.Equal(0.5f, program.Delta);
        Assert.Equal(1f, program.CouplingScale(program.Couplings[0]));
        Assert.Equal(0.5f, program.CouplingScale(program.Couplings[1]));
        Assert.Equal(ColouringKind.LayerParity, program.Colouring.Kind);
    }

    [Fact]
    public void Unmappable_layers_are_refused_naming_the_layer()
    {
        var relu = new Sequential(new Linear(4, 3), new Relu(), new Linear(3, 2));
        Assert.Contains("layer 1", Assert.Throws<ArgumentException>(() => new IsingCompiler().Compile(relu, [4])).Message);
        var maxpool = new Sequential(new Nn.Conv2d(1, 2, 3, padding: 1), new Tanh(), new MaxPool2d(2), new Nn.Flatten(), new Linear(2 * 2 * 2, 2));
        var e = Assert.Throws<ArgumentException>(() => new IsingCompiler().Compile(maxpool, [1, 4, 4]));
        Assert.Contains("layer 2", e.Message);
        Assert.Contains("max pooling", e.Message);
        var bnAfter = new Sequential(new Linear(4, 3), new Tanh(), new BatchNorm(3), new Linear(3, 2));
        Assert.Contains("batch norm", Assert.Throws<ArgumentException>(() => new IsingCompiler().Compile(bnAfter, [4])).Message);
        var twoLinear = new Sequential(new Linear(4, 3), new Linear(3, 2));
        Assert.Contains("without an activation", Assert.Throws<ArgumentException>(() => new IsingCompiler().Compile(twoLinear, [4])).Message);
        var badPool = new Sequential(new Nn.Conv2d(1, 2, 3, padding: 1), new Tanh(), new AvgPool2d(2), new Nn.Flatten(), new Linear(2 * 2 * 2, 2));
        Assert.Contains("does not tile", Assert.Throws<ArgumentException>(() => new IsingCompiler().Compile(badPool, [1, 5, 5])).Message);
        Assert.Throws<ArgumentException>(() => new IsingCompiler().Compile(new Sequential(new Linear(5, 2)), [4]));
    }

    [Fact]
    public void Custom_rules_extend_the_compiler()
    {
        var model = new Sequential(new Linear(4, 3), new Relu(), new Linear(3, 2));
        var compiler = new IsingCompiler();
        // Treat ReLU as a spin layer for this experiment.
        compiler.Rules.Add((m, name, state) => { if (m is not Relu) return false; state.CloseSpinLayer(name); return true; });
        var program = compiler.Compile(model, [4]);
        Assert.Equal(3, program.Layers.Count);
    }
}
