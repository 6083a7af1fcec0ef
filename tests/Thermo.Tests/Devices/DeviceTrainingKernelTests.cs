using Thermo.Autograd;
using Thermo.Blocks;
using Thermo.Devices;
using Thermo.Optim;
using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Tests.Devices;

/// <summary>Every kernel of device training against a plain reference (simple loops or the CPU engine's op), on ILGPU's CPU accelerator at tiny sizes.</summary>
public class DeviceTrainingKernelTests(IlgpuCpuFixture fixture) : IClassFixture<IlgpuCpuFixture>
{
    static float[] Random(int n, ulong stream, float scale = 1f)
    {
        var r = new float[n];
        Philox.FillUniform(11, stream, 0, r);
        for (int i = 0; i < n; i++) r[i] = (2 * r[i] - 1) * scale;
        return r;
    }

    static void Close(float[] expected, float[] actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= tolerance * (1 + MathF.Abs(expected[i])), $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Fact]
    public void Device_math_matches_MathF_within_a_few_ulp()
    {
        var random = new System.Random(3);
        for (int i = 0; i < 100_000; i++)
        {
            float x = (float)((random.NextDouble() - 0.5) * 170);
            float e = MathF.Exp(x);
            Assert.True(MathF.Abs(DeviceMath.Exp(x) - e) <= 4e-7f * e, $"exp({x:R})");
            float t = (float)((random.NextDouble() - 0.5) * 20);
            Assert.True(MathF.Abs(DeviceMath.Tanh(t) - MathF.Tanh(t)) <= 3e-7f * MathF.Max(MathF.Abs(MathF.Tanh(t)), 1e-30f) + 1e-38f, $"tanh({t:R}): {DeviceMath.Tanh(t):R} vs {MathF.Tanh(t):R}");
            float u = (float)random.NextDouble() + 1e-7f;
            Assert.True(MathF.Abs(DeviceMath.Log(u) - MathF.Log(u)) <= 3e-7f * MathF.Abs(MathF.Log(u)) + 1e-7f, $"log({u:R})");
            float theta = (float)(random.NextDouble() * 2 * Math.PI);
            DeviceMath.SinCos(theta, out float s, out float c);
            Assert.True(MathF.Abs(s - MathF.Sin(theta)) <= 3e-7f && MathF.Abs(c - MathF.Cos(theta)) <= 3e-7f, $"sincos({theta:R})");
        }
    }

    /// <summary>y[b, o, oh, ow] = Σ w[o, c, kh, kw]·x[b, c, oh·s − p + kh, ow·s − p + kw]: the plain reference of all three conv GEMMs.</summary>
    static void Reference(DeviceCoupling g, int batch, Action<int, int, int, int, int, int, int> visit)
    {
        for (int b = 0; b < batch; b++)
        for (int o = 0; o < g.O; o++)
        for (int oh = 0; oh < g.OH; oh++)
        for (int ow = 0; ow < g.OW; ow++)
        for (int c = 0; c < g.C; c++)
        for (int kh = 0; kh < g.Kernel; kh++)
        for (int kw = 0; kw < g.Kernel; kw++)
        {
            int ih = oh * g.Stride - g.Pad + kh, iw = ow * g.Stride - g.Pad + kw;
            if (ih < 0 || iw < 0 || ih >= g.H || iw >= g.W) continue;
            int xi = ((b * g.C + c) * g.H + ih) * g.W + iw, yi = ((b * g.O + o) * g.OH + oh) * g.OW + ow, wi = ((o * g.C + c) * g.Kernel + kh) * g.Kernel + kw;
            visit(xi, yi, wi, b, o, c, 0);
        }
    }

    public static TheoryData<bool, int, int, int, int, int, int, int> Shapes => new()
    {
        { true, 3, 5, 6, 4, 3, 1, 1 },   // hidden couplings: 3x3, padding 1
        { true, 5, 6, 4, 7, 2, 2, 0 },   // output couplings of the cifar10 preset: 2x2, stride 2
        { true, 2, 6, 6, 3, 4, 2, 1 },   // output couplings of the peer's network: 4x4, stride 2, padding 1
        { true, 70, 3, 3, 66, 3, 1, 1 }, // more than one 64-row tile and 16-deep stage
        { false, 37, 1, 1, 70, 1, 1, 0 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Implicit_gemm_convolutions_match_plain_loops(bool conv, int c, int h, int w, int o, int k, int s, int p)
    {
        const int batch = 3;
        var g = conv ? DeviceCoupling.Convolution(c, h, w, o, k, s, p) : DeviceCoupling.Dense(c, o);
        var x = Random(batch * g.LowerSize, 1);
        var y = Random(batch * g.UpperSize, 2);
        var wt = Random(g.WeightSize, 3);
        var forward = new float[batch * g.UpperSize];
        var data = new float[batch * g.LowerSize];
        var weight = new float[g.WeightSize];
        Reference(g, batch, (xi, yi, wi, _, _, _, _) =>
        {
            forward[yi] += wt[wi] * x[xi];
            data[xi] += wt[wi] * y[yi];
            weight[wi] += y[yi] * x[xi];
        });
        using var dx = fixture.Upload(x);
        using var dy = fixture.Upload(y);
        using var dw = fixture.Upload(wt);
        using var outF = fixture.Upload(new float[forward.Length]);
        using var outD = fixture.Upload(Enumerable.Repeat(1f, data.Length).ToArray());
        using var outW = fixture.Upload(new float[weight.Length]);
        var ops = fixture.Ops;
        ops.Gemm(g.Forward(batch), dw.View, dx.View, outF.View);
        ops.Gemm(g.BackwardData(batch, 2f, accumulate: true), dw.View, dy.View, outD.View);
        ops.Gemm(g.BackwardWeight(batch), dy.View, dx.View, outW.View);
        Close(forward, IlgpuCpuFixture.Download(outF, forward.Length), 1e-5f, "forward");
        Close(data.Select(v => 1 + 2 * v).ToArray(), IlgpuCpuFixture.Download(outD, data.Length), 1e-5f, "data gradient");
        Close(weight, IlgpuCpuFixture.Download(outW, weight.Length), 1e-5f, "weight gradient");
    }

    [Fact]
    public void Conv_gemm_agrees_with_the_cpu_engines_convolution()
    {
        var g = DeviceCoupling.Convolution(3, 8, 8, 5, 4, 2, 1);
        var x = new Tensor(Random(2 * g.LowerSize, 4), 2, 3, 8, 8);
        var w = new Tensor(Random(g.WeightSize, 5), 5, 3, 4, 4);
        var expected = F.Conv2d(x, w, null, 2, 1).Data;
        using var dx = fixture.Upload(x.Data);
        using var dw = fixture.Upload(w.Data);
        using var dy = fixture.Upload(new float[expected.Length]);
        fixture.Ops.Gemm(g.Forward(2), dw.View, dx.View, dy.View);
        Close(expected, IlgpuCpuFixture.Download(dy, expected.Length), 1e-5f, "conv");
    }

    [Fact]
    public void Reductions_match_double_sums()
    {
        int n = 3, ch = 5, inner = 37;
        var x = Random(n * ch * inner, 6);
        var y = Random(n * ch * inner, 7);
        using var dx = fixture.Upload(x);
        using var dy = fixture.Upload(y);
        using var outS = fixture.Upload(new float[ch]);
        using var outD = fixture.Upload(new float[1]);
        using var outR = fixture.Upload(new float[1]);
        using var outM = fixture.Upload(new float[1]);
        var ops = fixture.Ops;
        ops.ChannelSums(dx.View, n, ch, inner, outS.View, false);
        ops.Reduce(new ReduceArgs { Outer = 1, Segments = 1, Inner = x.Length, Mode = ReduceMode.SquaredDifference }, dx.View, dy.View, outD.View);
        ops.Reduce(new ReduceArgs { Outer = 1, Segments = 1, Inner = x.Length, Mode = ReduceMode.ReluSquares, Bound = 0.25f }, dx.View, dx.View, outR.View);
        ops.Reduce(new ReduceArgs { Outer = 1, Segments = 1, Inner = x.Length, Mode = ReduceMode.Max }, dx.View, dx.View, outM.View);
        var sums = new float[ch];
        for (int c = 0; c < ch; c++)
        {
            double s = 0;
            for (int b = 0; b < n; b++) for (int j = 0; j < inner; j++) s += x[(b * ch + c) * inner + j];
            sums[c] = (float)s;
        }
        Close(sums, IlgpuCpuFixture.Download(outS, ch), 1e-6f, "channel sums");
        Close([(float)x.Select((v, i) => (double)((v - y[i]) * (v - y[i]))).Sum()], IlgpuCpuFixture.Download(outD, 1), 1e-6f, "squared difference");
        Close([(float)x.Select(v => v > 0.25f ? (double)((v - 0.25f) * (v - 0.25f)) : 0).Sum()], IlgpuCpuFixture.Download(outR, 1), 1e-6f, "relu squares");
        Assert.Equal(x.Max(), IlgpuCpuFixture.Download(outM, 1)[0]);
    }

    [Fact]
    public void Batch_norm_matches_the_cpu_engine_forward_and_backward()
    {
        int n = 4, ch = 3, inner = 10;
        var z = new Tensor(Random(n * ch * inner, 8, 2f), n, ch, 2, 5) { RequiresGrad = true };
        var gamma = new Tensor(Random(ch, 9), ch) { RequiresGrad = true };
        var beta = new Tensor(Random(ch, 10), ch) { RequiresGrad = true };
        var rm = new Tensor(Random(ch, 11), ch);
        var rv = new Tensor([1f, 2f, 0.5f], ch);
        using var dz = fixture.Upload(z.Data);
        using var dGamma = fixture.Upload(gamma.Data);
        using var dBeta = fixture.Upload(beta.Data);
        using var dRm = fixture.Upload(rm.Data);
        using var dRv = fixture.Upload(rv.Data);
        var y = F.BatchNorm(z, gamma, beta, rm, rv, training: true);
        var upstream = Random(y.Length, 12);
        F.Sum(F.Mul(y, new Tensor(upstream, y.Shape))).Backward();
        using var mean = fixture.Upload(new float[ch]);
        using var istd = fixture.Upload(new float[ch]);
        using var dy = fixture.Upload(new float[y.Length]);
        using var g = fixture.Upload(upstream);
        using var sumG = fixture.Upload(new float[ch]);
        using var sumGX = fixture.Upload(new float[ch]);
        using var dx = fixture.Upload(new float[y.Length]);
        var ops = fixture.Ops;
        ops.BatchNormStats(dz.View, n, ch, inner, mean.View, istd.View, dRm.View, dRv.View, 0.1f, 1e-5f);
        ops.BatchNormApply(dz.View, mean.View, istd.View, dGamma.View, dBeta.View, dy.View, ch, inner);
        ops.BatchNormBackwardSums(g.View, dz.View, n, ch, inner, mean.View, istd.View, sumG.View, sumGX.View);
        ops.BatchNormBackward(g.View, dz.View, mean.View, istd.View, dGamma.View, sumG.View, sumGX.View, dx.View, ch, inner, n * inner);
        Close(y.Data, IlgpuCpuFixture.Download(dy, y.Length), 1e-6f, "y");
        Close(rm.Data, IlgpuCpuFixture.Download(dRm, ch), 1e-7f, "running mean");
        Close(rv.Data, IlgpuCpuFixture.Download(dRv, ch), 1e-7f, "running var");
        Close(z.Grad!.Data, IlgpuCpuFixture.Download(dx, y.Length), 1e-5f, "dz");
        Close(gamma.Grad!.Data, IlgpuCpuFixture.Download(sumGX, ch), 1e-6f, "dγ");
        Close(beta.Grad!.Data, IlgpuCpuFixture.Download(sumG, ch), 1e-6f, "dβ");
    }

    [Fact]
    public void Readout_noise_draws_the_cpu_engines_normals_from_the_same_philox_stream()
    {
        var m = new Tensor(Random(4 * 3 * 7, 13, 0.99f), 4, 3, 7) { RequiresGrad = true };
        ulong stream = Philox.Stream(5, 1, 0x5EED);
        var y = BlockOps.ReadoutNoise(m, 64, 42, stream);
        var upstream = Random(y.Length, 14);
        F.Sum(F.Mul(y, new Tensor(upstream, y.Shape))).Backward();
        using var dm = fixture.Upload(m.Data);
        using var eps = fixture.Upload(new float[m.Length]);
        using var dy = fixture.Upload(new float[m.Length]);
        using var g = fixture.Upload(upstream);
        using var gm = fixture.Upload(new float[m.Length]);
        fixture.Ops.ReadoutNoise(dm.View, eps.View, dy.View, 42, stream, 1f / 64);
        fixture.Ops.ReadoutNoiseBackward(g.View, dm.View, eps.View, gm.View, 1f / 64);
        Close(y.Data, IlgpuCpuFixture.Download(dy, m.Length), 1e-6f, "noisy readout");
        Close(m.Grad!.Data, IlgpuCpuFixture.Download(gm, m.Length), 1e-5f, "gradient");
    }

    [Fact]
    public void AdamW_kernel_equals_the_cpu_optimiser_bit_for_bit()
    {
        var p = new Tensor(Random(37, 15), 37) { RequiresGrad = true };
        var cpu = new AdamW([("p", p)], 3e-3f, weightDecay: 0.01f);
        using var dp = fixture.Upload(p.Data);
        using var m = fixture.Upload(new float[37]);
        using var v = fixture.Upload(new float[37]);
        for (int step = 1; step <= 3; step++)
        {
            var grad = Random(37, 16 + (ulong)step);
            cpu.ZeroGrad();
            F.Sum(F.Mul(p, new Tensor(grad, 37))).Backward();
            cpu.Step();
            using var g = fixture.Upload(grad);
            float c1 = 1f / (1f - MathF.Pow(0.9f, step)), c2 = 1f / (1f - MathF.Pow(0.999f, step));
            fixture.Ops.AdamW(new AdamWArgs
            {
                Beta1 = 0.9f, Beta2 = 0.999f, OneMinusBeta1 = 1 - 0.9f, OneMinusBeta2 = 1 - 0.999f,
                LrC1 = 3e-3f * c1, C2 = c2, Eps = 1e-8f, Decay = 1f - 3e-3f * 0.01f,
            }, dp.View, g.View, m.View, v.View);
        }
        Assert.Equal(p.Data, IlgpuCpuFixture.Download(dp, 37));
    }
}
