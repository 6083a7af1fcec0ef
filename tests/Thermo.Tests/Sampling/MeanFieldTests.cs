using Thermo.Ising;
using Thermo.Randomness;
using Thermo.Sampling;

namespace Thermo.Tests.Sampling;

public class MeanFieldTests
{
    /// <summary>Input [16] → hidden [10] → output [6], dense, weights ~ N(0, (1.5²)/fan-in).</summary>
    static IsingProgram Program(float delta, float beta)
    {
        var w1 = new float[10 * 16]; var w2 = new float[6 * 10];
        Philox.FillNormal(17, 1, 0, w1); Philox.FillNormal(17, 2, 0, w2);
        for (int i = 0; i < w1.Length; i++) w1[i] *= 1.5f / 4f;
        for (int i = 0; i < w2.Length; i++) w2[i] *= 1.5f / MathF.Sqrt(10);
        var b1 = Enumerable.Range(0, 10).Select(i => 0.1f * (i % 3 - 1)).ToArray();
        var b2 = Enumerable.Range(0, 6).Select(i => 0.2f * (i % 2 == 0 ? 1 : -1)).ToArray();
        return new IsingProgram([new SpinLayer("x", [16], true), new SpinLayer("h", [10]), new SpinLayer("y", [6])],
            [new DenseCoupling(0, 1, w1), new DenseCoupling(1, 2, w2)], [null, b1, b2], beta, delta);
    }

    static readonly sbyte[] Input = Enumerable.Range(0, 16).Select(i => (sbyte)((i * 7) % 5 < 2 ? 1 : -1)).ToArray();

    /// <summary>Sampled time averages of the free spins (all chains of one input), with standard errors from the chain spread.</summary>
    static (double[] Mean, double[] Se) Sample(IsingProgram program)
    {
        const int chains = 256;
        var sampler = GibbsSampler.Create(program);
        var obs = new SignAverageObserver(1, 2);
        sampler.Run(new SamplingRequest(new InputBatch(Input, 1, 16), chains, new Schedule(20, 200), 5), obs);
        var mean = new double[obs.Size];
        var se = new double[obs.Size];
        for (int i = 0; i < obs.Size; i++)
        {
            var per = Enumerable.Range(0, chains).Select(c => (double)obs.Average(0, c)[i]).ToArray();
            mean[i] = per.Average();
            se[i] = Math.Sqrt(per.Sum(v => (v - mean[i]) * (v - mean[i])) / (chains - 1) / chains);
        }
        return (mean, se);
    }

    [Fact]
    public void Feedback_bias_of_the_feed_forward_limit_shrinks_like_delta_squared()
    {
        // The hidden layer given a clamped input is exactly feed-forward at δ = 0; its bias from the feedback
        // δ·W₂ᵀm(output), with m(output) = O(δ), is O(δ²): halving δ divides it by about 4.
        var bias = new List<double>();
        foreach (float delta in new[] { 0.6f, 0.3f })
        {
            var program = Program(delta, beta: 1f);
            var (mean, se) = Sample(program);
            var ff = MeanField.FeedForward(program, Input);
            double sq = 0, noise = 0;
            for (int i = 0; i < 10; i++) { sq += Math.Pow(mean[i] - ff[16 + i], 2); noise += se[i] * se[i]; }
            bias.Add(Math.Sqrt(Math.Max(sq - noise, 0) / 10));
        }
        double ratio = bias[0] / bias[1];
        Assert.True(bias[1] > 0.005, $"feedback bias at δ = 0.3 is {bias[1]:F4}: too small to measure the order");
        Assert.InRange(ratio, 2.8, 5.6);
    }

    [Theory]
    [InlineData(0.4f)]
    [InlineData(0.2f)]
    public void At_high_temperature_time_averages_match_the_mean_field_fixed_point(float beta)
    {
        // Naive mean field misses the Onsager reaction term, O(β²J²); TAP includes it and leaves O(β³J³).
        var program = Program(0.5f, beta);
        var (mean, se) = Sample(program);
        var naive = MeanField.FixedPoint(program, Input);
        var tap = MeanField.FixedPoint(program, Input, onsager: true);
        var g = program.Graph;
        for (int i = 0; i < mean.Length; i++)
        {
            int s = 16 + i;
            double onsager = 0;
            for (int k = g.RowStart[s]; k < g.RowStart[s + 1]; k++)
                if (g.Neighbor[k] >= 16) onsager += g.Weight[k] * g.Weight[k];
            onsager *= beta * beta; // bound on the reaction field's size
            Assert.True(Math.Abs(mean[i] - naive[s]) <= 5 * se[i] + 1.5 * onsager, $"spin {i}: sampled {mean[i]:F4} ± {se[i]:F4}, naive mean field {naive[s]:F4}, Onsager scale {onsager:F4}");
            Assert.True(Math.Abs(mean[i] - tap[s]) <= 5 * se[i] + 0.15 * onsager + 0.002, $"spin {i}: sampled {mean[i]:F4} ± {se[i]:F4}, TAP {tap[s]:F4}, Onsager scale {onsager:F4}");
        }
    }
}
