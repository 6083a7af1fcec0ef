using Thermo.Analysis;
using Thermo.Randomness;

namespace Thermo.Tests.Analysis;

public class SequentialClassTestTests
{
    /// <summary>
    /// Class sums of P spins per class; spin k of class c keeps its previous value with probability <paramref name="stick"/>,
    /// otherwise is redrawn as +1 with probability p_c, so its autocorrelation is stick^t and τ_int = (1 + stick)/(1 − stick).
    /// Runs the test on one stream and returns (decided class, samples used, whether decided before the last look).
    /// </summary>
    static (int Class, int Samples, bool Tested) RunStream(SequentialClassTest test, double[] p, int population, double stick, ulong seed, ulong trial)
    {
        int c = p.Length;
        var spins = new int[c * population];
        var y = new double[c];
        var stream = test.NewStream();
        ulong counter = 0;
        for (int look = 0; look < test.Looks.Count; look++)
        {
            while (stream.Count < test.Looks[look])
            {
                Array.Clear(y);
                for (int k = 0; k < spins.Length; k++)
                {
                    bool redraw = stream.Count == 0 || Philox.Uniform(seed, trial, counter++) >= stick;
                    if (redraw) spins[k] = Philox.Uniform(seed, trial, counter++) < p[k / population] ? 1 : -1;
                    y[k / population] += spins[k];
                }
                stream.Add(y);
            }
            if (test.TryDecide(stream, look, out int decided)) return (decided, stream.Count, look < test.Looks.Count - 1);
        }
        throw new InvalidOperationException("the last look always decides");
    }

    [Theory]
    [InlineData(0.0, 1)]    // independent samples
    [InlineData(0.5, 2)]    // τ = 3, told to the test
    public void Error_rate_on_Bernoulli_streams_stays_below_epsilon(double stick, ulong seed)
    {
        const double eps = 0.05;
        const int trials = 800, population = 10;
        double tau = (1 + stick) / (1 - stick);
        var test = new SequentialClassTest(10, eps, tau, firstLook: 4, maxSamples: 512);
        int errors = 0, decided = 0;
        for (ulong t = 0; t < trials; t++)
        {
            // Hard cases: the best class (random index) beats the runner-up by a small, random gap.
            int best = (int)(Philox.Uniform(seed, 1000 + t, 0) * 10);
            double gap = 0.04 + 0.16 * Philox.Uniform(seed, 1000 + t, 1);
            var p = new double[10];
            for (int k = 0; k < 10; k++) p[k] = 0.35 + 0.2 * Philox.Uniform(seed, 1000 + t, 2 + (ulong)k);
            int second = (best + 1 + (int)(Philox.Uniform(seed, 1000 + t, 20) * 9)) % 10;
            p[best] = 0.6;
            p[second] = 0.6 - gap;
            var (cls, _, tested) = RunStream(test, p, population, stick, seed, t);
            if (!tested) continue;
            decided++;
            if (cls != best) errors++;
        }
        double allowed = eps + 3 * Math.Sqrt(eps * (1 - eps) / trials);
        Assert.True(decided > trials / 8, $"only {decided} of {trials} streams were decided before the last look");
        Assert.True((double)errors / trials <= allowed, $"{errors} wrong decisions in {trials} streams (ε = {eps})");
    }

    [Fact]
    public void Clear_decisions_stop_at_the_first_look_and_undecidable_ones_run_to_the_end()
    {
        var test = new SequentialClassTest(10, 0.01, 1, firstLook: 4, maxSamples: 256);
        var clear = Enumerable.Repeat(0.2, 10).ToArray(); clear[3] = 0.95;
        var (cls, n, tested) = RunStream(test, clear, 10, 0, 5, 0);
        Assert.Equal(3, cls); Assert.Equal(4, n); Assert.True(tested);
        var tie = Enumerable.Repeat(0.5, 10).ToArray();
        int forced = 0;
        for (ulong t = 0; t < 50; t++) if (!RunStream(test, tie, 10, 0, 6, t).Tested) forced++;
        Assert.True(forced >= 48, $"{50 - forced} of 50 exact ties were decided by the test");
    }

    [Fact]
    public void Ignoring_autocorrelation_inflates_the_error_rate()
    {
        // Strongly correlated streams (τ = 19) tested as if independent make more wrong decisions than when τ is given.
        const int trials = 300;
        var naive = new SequentialClassTest(10, 0.05, 1, 4, 512);
        var aware = new SequentialClassTest(10, 0.05, 19, 4, 512);
        int wrongNaive = 0, wrongAware = 0;
        for (ulong t = 0; t < trials; t++)
        {
            var p = Enumerable.Repeat(0.4, 10).ToArray(); p[0] = 0.55; p[1] = 0.52;
            var a = RunStream(naive, p, 10, 0.9, 11, t);
            var b = RunStream(aware, p, 10, 0.9, 11, t);
            if (a.Tested && a.Class != 0) wrongNaive++;
            if (b.Tested && b.Class != 0) wrongAware++;
        }
        Assert.True(wrongNaive > 2 * wrongAware + 5, $"wrong decisions: τ ignored {wrongNaive}, τ given {wrongAware}");
        Assert.True(wrongAware <= 0.05 * trials + 3 * Math.Sqrt(0.05 * 0.95 * trials));
    }

    [Fact]
    public void Looks_grow_geometrically_up_to_the_maximum()
    {
        var test = new SequentialClassTest(10, 0.01, 1.2, 3, 100, 2);
        Assert.Equal([3, 6, 12, 24, 48, 96, 100], test.Looks);
        Assert.Equal(Gaussian.Quantile(1 - 0.01 / (9 * 6)), test.Threshold(0), 9);
        Assert.Throws<ArgumentException>(() => new SequentialClassTest(1, 0.01, 1, 4, 8));
    }
}
