using Thermo.Autograd;
using Thermo.Optim;
using Thermo.Tensors;

namespace Thermo.Tests.Optim;

public class OptimizerTests
{
    static (string, Tensor) Param(params float[] v) => ("p", new Tensor(v, v.Length) { RequiresGrad = true });

    static void SetGrad(Tensor p, params float[] g)
    {
        // Backprop through Σ g ⊙ p leaves exactly g in p.Grad.
        p.ZeroGrad();
        Thermo.Autograd.F.Sum(Thermo.Autograd.F.Mul(p, new Tensor(g, g.Length))).Backward();
    }

    [Fact]
    public void AdamW_first_steps_match_hand_computation()
    {
        var (name, p) = Param(1f, -2f, 0.5f);
        var opt = new AdamW([(name, p)], learningRate: 0.1f, weightDecay: 0.01f);
        SetGrad(p, 0.3f, -0.2f, 0f);
        opt.Step();
        // Step 1: m̂ = g, v̂ = g², update = lr·g/(|g|+ε) + lr·λ·p.
        Assert.Equal(1f * (1 - 0.001f) - 0.1f, p.Data[0], 5);
        Assert.Equal(-2f * (1 - 0.001f) + 0.1f, p.Data[1], 5);
        Assert.Equal(0.5f * (1 - 0.001f), p.Data[2], 5);
        // Step 2 with a new gradient, against the formulas in double precision.
        SetGrad(p, 0.1f, 0.1f, 0.1f);
        double[] g1 = [0.3, -0.2, 0], g2 = [0.1, 0.1, 0.1];
        double[] p1 = [1 * 0.999 - 0.1, -2 * 0.999 + 0.1, 0.5 * 0.999];
        opt.Step();
        for (int i = 0; i < 3; i++)
        {
            double m = 0.9 * 0.1 * g1[i] + 0.1 * g2[i], v = 0.999 * 0.001 * g1[i] * g1[i] + 0.001 * g2[i] * g2[i];
            double mh = m / (1 - 0.81), vh = v / (1 - 0.999 * 0.999);
            double expected = p1[i] * 0.999 - 0.1 * mh / (Math.Sqrt(vh) + 1e-8);
            Assert.Equal(expected, p.Data[i], 4);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(23)]
    [InlineData(200_003)]
    public void AdamW_equals_its_scalar_loop_bit_for_bit_with_any_thread_count(int n)
    {
        // The plain loop the vectorised update repeats lane by lane, over three steps with weight decay.
        const float lr = 0.01f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, decay = 0.1f;
        var start = Thermo.Tests.Kernels.KernelAssert.Random(n, 1);
        var grads = new[] { Thermo.Tests.Kernels.KernelAssert.Random(n, 2), Thermo.Tests.Kernels.KernelAssert.Random(n, 3), Thermo.Tests.Kernels.KernelAssert.Random(n, 4) };
        grads[1][0] = 0f;
        var p = (float[])start.Clone(); var m = new float[n]; var v = new float[n];
        for (int t = 1; t <= grads.Length; t++)
        {
            var g = grads[t - 1];
            float c1 = 1f / (1f - MathF.Pow(b1, t)), c2 = 1f / (1f - MathF.Pow(b2, t)), keep = 1f - lr * decay;
            for (int i = 0; i < n; i++)
            {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                p[i] = p[i] * keep - lr * c1 * m[i] / (MathF.Sqrt(v[i] * c2) + eps);
            }
        }
        int saved = Thermo.Kernels.ParallelRange.Threads;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                Thermo.Kernels.ParallelRange.Threads = threads;
                var param = new Tensor((float[])start.Clone(), n) { RequiresGrad = true };
                var opt = new AdamW([("p", param)], lr, b1, b2, eps, decay);
                foreach (var g in grads)
                {
                    SetGrad(param, g);
                    opt.Step();
                }
                Thermo.Tests.Kernels.ElementwiseTests.AssertBitwise(p, param.Data, $"parameters, {threads} thread(s)");
            }
        }
        finally { Thermo.Kernels.ParallelRange.Threads = saved; }
    }

    [Fact]
    public void Sgd_nesterov_matches_pytorch_formula()
    {
        var (name, p) = Param(1f);
        var opt = new Sgd([(name, p)], 0.1f, momentum: 0.9f, nesterov: true, weightDecay: 0.5f);
        SetGrad(p, 2f);
        opt.Step(); // g = 2 + 0.5 = 2.5; b = 2.5; p = 1 − 0.1(2.5 + 0.9·2.5) = 0.525
        Assert.Equal(0.525f, p.Data[0], 5);
        SetGrad(p, 0f);
        opt.Step(); // g = 0.2625; b = 0.9·2.5 + 0.2625 = 2.5125; p = 0.525 − 0.1(0.2625 + 2.26125)
        Assert.Equal(0.525f - 0.1f * (0.2625f + 0.9f * 2.5125f), p.Data[0], 5);
    }

    [Fact]
    public void Optimizer_state_round_trips_so_resumed_steps_are_identical()
    {
        var (n1, p1) = Param(1f, 2f); var (n2, p2) = Param(1f, 2f);
        var a = new AdamW([(n1, p1)], 0.05f); var b = new AdamW([(n2, p2)], 0.05f);
        SetGrad(p1, 0.5f, -1f); a.Step();
        SetGrad(p2, 0.5f, -1f); b.Step();
        var fresh = new AdamW([(n2, p2)], 0.05f);
        fresh.LoadStateDict(b.StateDict());
        SetGrad(p1, 0.2f, 0.3f); a.Step();
        SetGrad(p2, 0.2f, 0.3f); fresh.Step();
        Assert.Equal(p1.Data, p2.Data);
    }

    [Fact]
    public void Parameters_without_gradient_are_left_alone()
    {
        var (name, p) = Param(3f);
        new AdamW([(name, p)], 0.1f, weightDecay: 0.1f).Step();
        Assert.Equal(3f, p.Data[0]);
    }

    [Theory]
    [InlineData(LrShape.Cosine)]
    [InlineData(LrShape.OneCycle)]
    [InlineData(LrShape.Constant)]
    public void Schedules_warm_up_linearly_then_reach_the_final_fraction(LrShape shape)
    {
        var s = new LrSchedule(1f, 110, 10, shape, 0.1f);
        Assert.Equal(0.1f, s.At(0), 5);
        Assert.Equal(1f, s.At(9), 5);
        Assert.Equal(1f, s.At(10), 5);
        Assert.Equal(shape == LrShape.Constant ? 1f : 0.1f, s.At(110), 5);
        if (shape == LrShape.Cosine) Assert.Equal(0.55f, s.At(60), 4);
        if (shape == LrShape.OneCycle) Assert.Equal(0.55f, s.At(60), 4);
    }

    [Fact]
    public void The_weight_average_follows_its_formula_swaps_and_round_trips()
    {
        var (name, p) = Param(1f, -2f, 0.5f);
        var opt = new Sgd([(name, p)], 0.1f, momentum: 0.9f, nesterov: true);
        opt.KeepEma(0.3f);
        double[] average = [1, -2, 0.5];
        var rng = new Random(3);
        for (int t = 1; t <= 12; t++)
        {
            SetGrad(p, (float)rng.NextDouble() - 0.5f, (float)rng.NextDouble() - 0.5f, (float)rng.NextDouble() - 0.5f);
            opt.Step();
            double d = Math.Min(0.3, (1.0 + t) / (10.0 + t));   // the warm-up factor (0.18, 0.25) for t = 1, 2, the decay 0.3 from t = 3
            for (int i = 0; i < 3; i++) average[i] = d * average[i] + (1 - d) * p.Data[i];
        }
        float[] live = (float[])p.Data.Clone();
        opt.SwapEma();
        for (int i = 0; i < 3; i++) Assert.Equal(average[i], p.Data[i], 5);

        // The state holds the average (now the live weights, swapped) under "<param>.ema"; a fresh optimiser takes it back.
        var (name2, q) = Param(0f, 0f, 0f);
        var restored = new Sgd([(name2, q)], 0.1f, momentum: 0.9f, nesterov: true);
        restored.KeepEma(0.3f);
        restored.LoadStateDict(opt.StateDict());
        restored.SwapEma();
        Assert.Equal(live, q.Data);
        opt.SwapEma();
        Assert.Equal(live, p.Data);
        opt.ApplyEma();
        for (int i = 0; i < 3; i++) Assert.Equal(average[i], p.Data[i], 5);

        var plain = new Sgd([(name2, q)], 0.1f, momentum: 0.9f, nesterov: true);
        Assert.DoesNotContain(plain.StateDict().Keys, k => k.EndsWith(".ema", StringComparison.Ordinal));
        Assert.Contains("no 'p.ema'", Assert.Throws<InvalidDataException>(() => restored.LoadStateDict(plain.StateDict())).Message);
        Assert.Throws<ArgumentException>(() => plain.KeepEma(1f));
    }
}
