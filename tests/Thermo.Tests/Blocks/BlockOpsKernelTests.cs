using Thermo.Autograd;
using Thermo.Blocks;
using Thermo.Kernels;
using Thermo.Randomness;
using Thermo.Tensors;
using Thermo.Tests.Kernels;

namespace Thermo.Tests.Blocks;

/// <summary>
/// The vectorised loops of <see cref="BlockOps"/> and the input encoder against the plain loops they replaced, on lengths
/// that leave vector tails, below and above the threading threshold, for 1, 2 and 3 threads.
/// </summary>
public class BlockOpsKernelTests
{
    public static TheoryData<int> Lengths => new() { 1, 13, 1_001, 70_001, 200_003 };

    static Tensor Leaf(float[] values) => new(values, values.Length) { RequiresGrad = true };

    /// <summary>Means in (−1, 1) with the edges ±1 (no noise) and values whose variance is below 10⁻⁶ sprinkled in.</summary>
    static float[] Means(int n, int seed)
    {
        var m = KernelAssert.Random(n, seed);
        for (int i = 0; i < n; i++)
        {
            if (i % 29 == 3) m[i] = 1f;
            if (i % 31 == 4) m[i] = -1f;
            if (i % 37 == 6) m[i] = 0.99999994f;
        }
        return m;
    }

    /// <summary>∂(Σ g ⊙ f(x))/∂x by autograd: the op's backward receives exactly g. Twice: the second pass accumulates.</summary>
    static (float[] Output, float[] Once, float[] Twice) Run(Func<Tensor> f, Tensor x, float[] g)
    {
        x.ZeroGrad();
        var y = f();
        F.Sum(F.Mul(y, new Tensor(g, y.Shape))).Backward();
        var once = (float[])x.Grad!.Data.Clone();
        F.Sum(F.Mul(f(), new Tensor(g, y.Shape))).Backward();
        return (y.Data, once, (float[])x.Grad!.Data.Clone());
    }

    static void ForThreadCounts(Action<int> body)
    {
        int saved = ParallelRange.Threads;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                ParallelRange.Threads = threads;
                body(threads);
            }
        }
        finally { ParallelRange.Threads = saved; }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ReadoutNoise_equals_its_scalar_loops_with_the_noise_of_FillNormal(int n)
    {
        const float samples = 16;
        const ulong seed = 9, stream = 4;
        var md = Means(n, 1); var g = KernelAssert.Random(n, 2);
        var eps = new float[n];
        Philox.FillNormal(seed, stream, 0, eps);
        float invG = 1f / samples;
        var y = new float[n]; var d = new float[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = md[i] + MathF.Sqrt(MathF.Max(0f, (1 - md[i] * md[i]) * invG)) * eps[i];
            float sd = MathF.Sqrt(MathF.Max(0f, (1 - md[i] * md[i]) * invG));
            float dsd = sd > 1e-6f ? -md[i] * invG / sd : 0f;
            d[i] = g[i] * (1 + eps[i] * dsd);
        }
        var twice = d.Select(v => v + v).ToArray();
        var m = Leaf(md);
        ForThreadCounts(threads =>
        {
            var (output, once, accumulated) = Run(() => BlockOps.ReadoutNoise(m, samples, seed, stream), m, g);
            ElementwiseTests.AssertBitwise(y, output, $"y, {threads} thread(s)");
            ElementwiseTests.AssertBitwise(d, once, $"dm, {threads} thread(s)");
            ElementwiseTests.AssertBitwise(twice, accumulated, $"dm accumulated, {threads} thread(s)");
        });
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void GaussianTanh_is_the_probit_formula_and_its_gradients_are_the_scalar_loops(int n)
    {
        var md = KernelAssert.Random(n, 3).Select(v => 3 * v).ToArray();
        var vd = KernelAssert.Random(n, 4).Select((v, i) => i % 7 == 0 ? -0.1f : 2 * (v + 1)).ToArray();
        var g = KernelAssert.Random(n, 5);
        const float c = MathF.PI / 2;
        var mu = Leaf(md); var variance = Leaf(vd);
        ForThreadCounts(threads =>
        {
            mu.ZeroGrad(); variance.ZeroGrad();
            var y = BlockOps.GaussianTanh(mu, variance);
            F.Sum(F.Mul(y, new Tensor(g, n))).Backward();
            var yd = y.Data;
            for (int i = 0; i < n; i++)
            {
                float r = 1f / MathF.Sqrt(1f + c * MathF.Max(vd[i], 0f));
                double exact = Math.Tanh(md[i] * r);
                // The rational tanh of Activations: within 8 ulp (ActivationsTests).
                double tol = 8 * (MathF.BitIncrement(MathF.Abs((float)exact)) - MathF.Abs((float)exact)) + 1e-30;
                Assert.True(Math.Abs(yd[i] - exact) <= tol, $"y[{i}] = {yd[i]}, tanh(μr) = {exact} ({threads} thread(s))");
                // The old backward loops, on the op's own output.
                float dm = g[i] * (1 - yd[i] * yd[i]) * r;
                float dv = vd[i] < 0 ? 0 : -g[i] * (1 - yd[i] * yd[i]) * md[i] * c * r * r * r / 2;
                Assert.Equal(BitConverter.SingleToInt32Bits(dm), BitConverter.SingleToInt32Bits(mu.Grad!.Data[i]));
                Assert.Equal(BitConverter.SingleToInt32Bits(dv), BitConverter.SingleToInt32Bits(variance.Grad!.Data[i]));
            }
        });
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SpinVariance_equals_its_scalar_loops(int n)
    {
        var md = Means(n, 6); var g = KernelAssert.Random(n, 7);
        var y = md.Select(v => 1f - v * v).ToArray();
        var d = md.Select((v, i) => -2f * v * g[i]).ToArray();
        var m = Leaf(md);
        ForThreadCounts(threads =>
        {
            var (output, once, accumulated) = Run(() => BlockOps.SpinVariance(m), m, g);
            ElementwiseTests.AssertBitwise(y, output, $"y, {threads} thread(s)");
            ElementwiseTests.AssertBitwise(d, once, $"dm, {threads} thread(s)");
            ElementwiseTests.AssertBitwise(d.Select(v => v + v).ToArray(), accumulated, $"dm accumulated, {threads} thread(s)");
        });
    }

    [Theory]
    [InlineData(2, 3, 5, 7)]
    [InlineData(128, 3, 32, 32)]
    public void Thermometer_encoder_equals_its_scalar_loop(int n, int c, int h, int w)
    {
        var images = new Tensor(KernelAssert.Random(n * c * h * w, 8).Select(v => (v + 1) / 2).ToArray(), n, c, h, w);
        images.Data[0] = 0.4f;   // exactly on a threshold: −1
        float[] thresholds = [0.2f, 0.4f, 0.6f, 0.8f];
        int plane = h * w, k = thresholds.Length;
        var expected = new float[n * c * k * plane];
        for (int i = 0; i < n * c; i++)
            for (int t = 0; t < k; t++)
                for (int p = 0; p < plane; p++) expected[(i * k + t) * plane + p] = images.Data[i * plane + p] > thresholds[t] ? 1f : -1f;
        ForThreadCounts(threads =>
        {
            var s = IsingBlockNet.Encode(images, thresholds);
            Assert.Equal([n, c * k, h, w], s.Shape);
            ElementwiseTests.AssertBitwise(expected, s.Data, $"spins, {threads} thread(s)");
        });
    }
}
