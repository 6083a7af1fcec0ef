using Thermo.Autograd;
using Thermo.Blocks;
using Thermo.Ising;
using Thermo.Randomness;
using Thermo.Tensors;
using static Thermo.Tests.Autograd.GradCheck;

namespace Thermo.Tests.Blocks;

public class BlockTests
{
    [Fact]
    public void GaussianTanh_and_ReadoutNoise_match_finite_differences()
    {
        var mu = Random(1, 1.5f, 3, 4);
        var v = Random(2, 1f, 3, 4);
        for (int i = 0; i < v.Length; i++) v.Data[i] = 0.2f + MathF.Abs(v.Data[i]);
        Check(() => BlockOps.GaussianTanh(mu, v), [mu, v], eps: 1e-3f);
        var m = Random(3, 0.8f, 5, 4);
        Check(() => BlockOps.ReadoutNoise(m, 16, 9, 1), [m], eps: 1e-3f);
        Check(() => BlockOps.SpinVariance(m), [m], eps: 1e-3f);
    }

    [Fact]
    public void GaussianTanh_approximates_the_Gaussian_expectation_of_tanh()
    {
        // E[tanh(Z)], Z ~ N(μ, σ²) by quadrature, against the probit approximation: within 0.02 everywhere.
        foreach (float mu in new[] { -2f, -0.5f, 0.1f, 0.7f, 1.5f })
        foreach (float s2 in new[] { 0.1f, 1f, 4f })
        {
            double exact = 0, norm = 0;
            for (int k = -4000; k <= 4000; k++)
            {
                double z = k * 0.002 * 6, w = Math.Exp(-z * z / 2);
                exact += w * Math.Tanh(mu + Math.Sqrt(s2) * z); norm += w;
            }
            exact /= norm;
            float approx = BlockOps.GaussianTanh(Tensor.FromArray([mu], 1), Tensor.FromArray([s2], 1)).Item();
            Assert.True(Math.Abs(approx - exact) < 0.02, $"μ={mu}, σ²={s2}: approx {approx:F4}, exact {exact:F4}");
        }
    }

    static IsingBlock TinyBlock(ulong seed, int input, int hidden, int output, float delta, float w2Scale)
    {
        var block = new IsingBlock(new DenseBlockCoupling([input], hidden), new DenseBlockCoupling([hidden], output), delta);
        block.Initialize(seed);
        var u = new float[64];
        Philox.FillUniform(seed, 77, 0, u);
        for (int i = 0; i < block.Output.Weight.Length; i++) block.Output.Weight.Data[i] *= w2Scale;
        for (int c = 0; c < hidden; c++)
        {
            block.HiddenNorm.RunningMean.Data[c] = u[c] - 0.5f;
            block.HiddenNorm.RunningVar.Data[c] = 0.5f + u[c + 16];
            block.HiddenNorm.Gamma.Data[c] = 1.5f + u[c + 32];
            block.HiddenNorm.Beta.Data[c] = u[c + 48] - 0.5f;
        }
        for (int k = 0; k < output; k++) block.OutputBias.Data[k] = 0.3f * (u[k] - 0.5f);
        block.Eval();
        return block;
    }

    [Fact]
    public void Compiled_program_reproduces_the_block_fields_exactly()
    {
        var block = TinyBlock(5, 4, 6, 3, 0.4f, 1f);
        var program = BlockCompiler.Compile(block);
        Assert.Equal(13, program.SpinCount);
        var spins = new sbyte[13];
        for (int trial = 0; trial < 20; trial++)
        {
            for (int i = 0; i < 13; i++) spins[i] = Philox.Uniform(11, (ulong)trial, (ulong)i) < 0.5f ? (sbyte)-1 : (sbyte)1;
            var x = new Tensor(spins[..4].Select(s => (float)s).ToArray(), 1, 4);
            var o = new Tensor(spins[10..].Select(s => (float)s).ToArray(), 1, 3);
            var h = new Tensor(spins[4..10].Select(s => (float)s).ToArray(), 1, 6);
            using var _ = GradMode.NoGrad();
            var hiddenField = F.Add(block.HiddenField(x), F.Scale(block.Output.Transpose(o), block.Delta));
            var outputField = F.Scale(F.AddBias(block.Output.Apply(h), block.OutputBias), block.Delta);
            for (int i = 4; i < 13; i++)
            {
                // Local field u_i = −(E(s_i=+1) − E(s_i=−1))/2.
                sbyte keep = spins[i];
                spins[i] = 1; double ep = program.Energy(spins);
                spins[i] = -1; double em = program.Energy(spins);
                spins[i] = keep;
                float expected = i < 10 ? hiddenField.Data[i - 4] : outputField.Data[i - 10];
                Assert.True(Math.Abs(expected - (-(ep - em) / 2)) < 1e-4, $"trial {trial} spin {i}: module field {expected}, program field {-(ep - em) / 2}");
            }
        }
    }

    static double[] ExactOutputMeans(IsingProgram program, sbyte[] input)
    {
        int n = program.SpinCount, free = n - input.Length, outStart = program.LayerOffsets[2];
        var spins = new sbyte[n];
        input.CopyTo(spins, 0);
        var sums = new double[n - outStart];
        double z = 0;
        var energies = new double[1 << free];
        double eMin = double.MaxValue;
        for (int s = 0; s < 1 << free; s++)
        {
            for (int b = 0; b < free; b++) spins[input.Length + b] = (s >> b & 1) == 1 ? (sbyte)1 : (sbyte)-1;
            energies[s] = program.Energy(spins);
            eMin = Math.Min(eMin, energies[s]);
        }
        for (int s = 0; s < 1 << free; s++)
        {
            double w = Math.Exp(-(energies[s] - eMin));
            z += w;
            for (int k = 0; k < sums.Length; k++) sums[k] += w * ((s >> (outStart - input.Length + k) & 1) == 1 ? 1 : -1);
        }
        return sums.Select(v => v / z).ToArray();
    }

    [Fact]
    public void Variance_propagation_tracks_exact_enumeration_better_than_plain_mean_field()
    {
        double errVariance = 0, errPlain = 0, worst = 0;
        int count = 0;
        for (ulong seed = 0; seed < 12; seed++)
        {
            var block = TinyBlock(100 + seed, 4, 10, 2, 0.3f, 6f);
            var program = BlockCompiler.Compile(block);
            var input = new sbyte[4];
            for (int i = 0; i < 4; i++) input[i] = Philox.Uniform(seed, 3, (ulong)i) < 0.5f ? (sbyte)-1 : (sbyte)1;
            var exact = ExactOutputMeans(program, input);
            var x = new Tensor(input.Select(v => (float)v).ToArray(), 1, 4);
            using var noGrad = GradMode.NoGrad();
            var withVar = block.Surrogate(x, 6, true, out _);
            var plain = block.Surrogate(x, 6, false, out _);
            for (int k = 0; k < exact.Length; k++)
            {
                errVariance += Math.Abs(withVar.Data[k] - exact[k]);
                errPlain += Math.Abs(plain.Data[k] - exact[k]);
                worst = Math.Max(worst, Math.Abs(withVar.Data[k] - exact[k]));
                count++;
            }
        }
        errVariance /= count; errPlain /= count;
        Assert.True(errVariance < 0.5 * errPlain, $"mean |error|: variance propagation {errVariance:F4}, plain mean field {errPlain:F4}");
        Assert.True(errVariance < 0.05, $"mean |error| of the surrogate {errVariance:F4}, worst {worst:F4}");
    }

    [Fact]
    public void Block_surrogate_and_penalties_match_finite_differences()
    {
        var block = new IsingBlock(new ConvBlockCoupling([2, 6, 6], 3, 3, 1, 1), new ConvBlockCoupling([3, 6, 6], 4, 4, 2, 1), 0.5f);
        block.Initialize(3);
        var x = Random(4, 1, 2, 2, 6, 6);
        for (int i = 0; i < x.Length; i++) x.Data[i] = x.Data[i] >= 0 ? 1 : -1;
        x.RequiresGrad = false;
        var ps = block.Parameters();
        Check(() => block.Surrogate(x, 3, true, out _), [.. ps], eps: 2e-3f, atol: 3e-3f, rtol: 3e-2f);
        Check(() => block.MagnitudePenalty(0.5f, 0.2f, out _, out _), [block.Output.Weight], eps: 1e-3f);
    }

    [Fact]
    public void Thermometer_code_gives_one_spin_plane_per_threshold_and_both_encoders_agree()
    {
        var spec = Thermo.Training.ModelSpec.Parse("""
            {"name": "t", "family": "ising-blocks", "input": [3, 4, 4], "classes": 2, "binarize": [0.25, 0.5, 0.75], "population": 1,
             "blocks": [{"hidden": {"type": "conv2d", "out": 2, "kernel": 3, "padding": 1}, "output": {"type": "linear"}}]}
            """);
        var net = Assert.IsType<IsingBlockNet>(spec.Build());
        Assert.Equal([9, 4, 4], net.Blocks[0].InputShape);
        var bytes = new byte[2 * 3 * 16];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(i * 37 % 256);
        var images = new Tensor(bytes.Select(b => b / 255f).ToArray(), 2, 3, 4, 4);
        var fromTensor = net.Binarize(images).Data;
        var fromBytes = net.EncodeSpins(bytes);
        Assert.Equal(fromTensor.Select(v => (sbyte)v).ToArray(), fromBytes);
        // Pixel 5 of channel 1 of image 0 = byte 37·21 mod 256: its three spins follow the thresholds.
        float v = bytes[16 + 5] / 255f;
        for (int t = 0; t < 3; t++) Assert.Equal(v > new[] { 0.25f, 0.5f, 0.75f }[t] ? 1f : -1f, fromTensor[(1 * 3 + t) * 16 + 5]);
    }
}
