using Thermo.Kernels;
using Thermo.Langevin;
using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Tests.Langevin;

public class LangevinSimulatorTests
{
    internal static LangevinComputer RandomComputer(int inputs, int hidden, int outputs, ulong seed, float scale = 0.3f, CouplingClasses classes = CouplingClasses.Published)
    {
        var c = new LangevinComputer(inputs, hidden, outputs, classes);
        Fill(c.InputCoupling, seed, 1, scale / MathF.Sqrt(Math.Max(1, inputs)));
        Fill(c.MovingCoupling, seed, 2, scale);
        Fill(c.Bias, seed, 3, scale);
        c.Enforce();
        return c;
    }

    internal static void Fill(float[] a, ulong seed, ulong stream, float scale)
    {
        Philox.FillUniform(seed, stream, 0, a);
        for (int i = 0; i < a.Length; i++) a[i] = (2 * a[i] - 1) * scale;
    }

    /// <summary>Plain reference: one row at a time, double-accumulated gradient, scalar noise definition.</summary>
    static float[] Reference(LangevinComputer c, LangevinSchedule s, float[] inputs, int count, int trajectories, ulong seed, ulong salt)
    {
        int m = c.Moving, mp = (m + 15) & ~15;
        var final = new float[count * trajectories * m];
        var x = new float[m];
        var g = new float[m];
        float sigma = MathF.Sqrt(2f * c.Mobility * c.KT * s.Dt);
        for (int n = 0; n < count; n++)
            for (int t = 0; t < trajectories; t++)
            {
                ulong stream = Philox.Stream((ulong)n, (ulong)t, salt);
                Array.Clear(x);
                for (int k = 0; k < s.Steps; k++)
                {
                    c.Gradient(inputs.AsSpan(n * c.Inputs, c.Inputs), x, g);
                    for (int i = 0; i < m; i++)
                        x[i] += -s.Dt * c.Mobility * g[i] + sigma * LangevinNoise.Normal(seed, stream, (ulong)k * (ulong)mp + (ulong)i);
                }
                x.CopyTo(final, (n * trajectories + t) * m);
            }
        return final;
    }

    [Theory]
    [InlineData(5, 3, 2)]     // M = 5: one padded vector
    [InlineData(30, 64, 10)]  // M = 74: a 4-vector panel and a 1-vector panel
    [InlineData(7, 100, 30)]  // M = 130: 9 vectors
    public void Fused_kernel_matches_the_plain_reference(int inputs, int hidden, int outputs)
    {
        var c = RandomComputer(inputs, hidden, outputs, 3);
        var s = new LangevinSchedule(1e-3f, 37);
        var x = new float[6 * inputs];
        Fill(x, 9, 9, 2f);
        var run = LangevinSimulator.Run(c, s, x, 6, new LangevinRunOptions { Trajectories = 3, Seed = 5, Salt = 2 });
        var expected = Reference(c, s, x, 6, 3, 5, 2);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(run.Final[i] - expected[i]) < 2e-4f, $"element {i}: {run.Final[i]} vs {expected[i]}");
    }

    [Fact]
    public void Results_do_not_depend_on_thread_count()
    {
        var c = RandomComputer(20, 40, 10, 4);
        var s = new LangevinSchedule(1e-3f, 50);
        var x = new float[37 * 20];
        Fill(x, 1, 1, 1f);
        int saved = ParallelRange.Threads;
        try
        {
            ParallelRange.Threads = 1;
            var one = LangevinSimulator.Run(c, s, x, 37, new LangevinRunOptions { Trajectories = 3, Seed = 1, Heat = true });
            ParallelRange.Threads = 2;
            var two = LangevinSimulator.Run(c, s, x, 37, new LangevinRunOptions { Trajectories = 3, Seed = 1, Heat = true });
            ParallelRange.Threads = 3;
            var three = LangevinSimulator.Run(c, s, x, 37, new LangevinRunOptions { Trajectories = 3, Seed = 1, Heat = true });
            Assert.Equal(one.Final, two.Final);
            Assert.Equal(one.Final, three.Final);
            Assert.Equal(one.Heat, two.Heat);
            Assert.Equal(one.Heat, three.Heat);
        }
        finally { ParallelRange.Threads = saved; }
    }

    [Fact]
    public void Trajectories_of_a_chunk_equal_those_of_the_whole_batch()
    {
        var c = RandomComputer(8, 6, 4, 5);
        var s = new LangevinSchedule(1e-3f, 20);
        var x = new float[10 * 8];
        Fill(x, 2, 2, 1f);
        var whole = LangevinSimulator.Run(c, s, x, 10, new LangevinRunOptions { Trajectories = 2, Seed = 3 });
        var part = LangevinSimulator.Run(c, s, x.AsSpan(4 * 8, 3 * 8), 3, new LangevinRunOptions { Trajectories = 2, Seed = 3, FirstInput = 4 });
        Assert.Equal(whole.Final.AsSpan(4 * 2 * 10, 3 * 2 * 10).ToArray(), part.Final);
    }

    [Fact]
    public void Single_unit_reaches_the_Boltzmann_distribution()
    {
        // V(x) = J2 x² + J4 x⁴ + b x with kT = 0.7: a skewed anharmonic well, as 16 uncoupled output units (each one
        // an independent copy) in 2^11 trajectories run to t = 4 (relaxation time ≈ 1/(2 J2) = 0.5, so start-up
        // transients are e^-8 ≈ 3e-4 of the spread).
        const int units = 16, trajectories = 1 << 11, rows = units * trajectories;
        var c = new LangevinComputer(0, 0, units) { KT = 0.7f, J2 = 1f, J4 = 0.5f };
        Array.Fill(c.Bias, 0.8f);
        var s = new LangevinSchedule(1e-3f, 4000);
        var run = LangevinSimulator.RunFields(c, s, c.Bias, 1, new LangevinRunOptions { Trajectories = trajectories, Seed = 11 });

        // Boltzmann density on a fine grid.
        double V(double x) => c.J2 * x * x + c.J4 * x * x * x * x + c.Bias[0] * x;
        const double lo = -3.5, hi = 2.5;
        const int bins = 24, sub = 200;
        var p = new double[bins];
        double z = 0, mean = 0, second = 0;
        for (int b = 0; b < bins; b++)
            for (int k = 0; k < sub; k++)
            {
                double x = lo + (hi - lo) * (b + (k + 0.5) / sub) / bins;
                double w = Math.Exp(-V(x) / c.KT);
                p[b] += w; z += w; mean += w * x; second += w * x * x;
            }
        for (int b = 0; b < bins; b++) p[b] /= z;
        mean /= z; second /= z;

        var counts = new int[bins];
        double sm = 0, s2 = 0;
        foreach (float x in run.Final)
        {
            sm += x; s2 += (double)x * x;
            int b = (int)Math.Floor((x - lo) / (hi - lo) * bins);
            if (b >= 0 && b < bins) counts[b]++;
        }
        sm /= rows; s2 /= rows;
        double variance = second - mean * mean;
        for (int b = 0; b < bins; b++)
        {
            // Binomial standard deviation; 5σ plus a 2% relative allowance for the O(Δt) bias of Euler–Maruyama.
            double expected = rows * p[b], sd = Math.Sqrt(rows * p[b] * (1 - p[b]));
            Assert.True(Math.Abs(counts[b] - expected) <= 5 * sd + 0.02 * expected + 1, $"bin {b}: {counts[b]} vs {expected:F1} ± {sd:F1}");
        }
        Assert.InRange(sm, mean - 5 * Math.Sqrt(variance / rows) - 0.01, mean + 5 * Math.Sqrt(variance / rows) + 0.01);
        Assert.InRange(s2 - sm * sm, variance * 0.97, variance * 1.03);
    }

    [Fact]
    public void Stratonovich_heat_equals_the_drop_in_potential()
    {
        // Time-independent V and no work: the heat released to the bath is −ΔV along each trajectory.
        var c = RandomComputer(12, 10, 4, 6, scale: 1.5f);
        var s = new LangevinSchedule(1e-3f, 200);
        var x = new float[5 * 12];
        Fill(x, 3, 3, 2f);
        var observer = new TrajectoryObserver(10, 0, c.Moving, every: 200);
        var run = LangevinSimulator.Run(c, s, x, 5, new LangevinRunOptions { Trajectories = 2, Seed = 8, Heat = true, Observer = observer });
        var zero = new float[c.Moving];
        for (int row = 0; row < 10; row++)
        {
            var input = x.AsSpan(row / 2 * 12, 12);
            var final = run.Final.AsSpan(row * c.Moving, c.Moving);
            double dropV = c.Potential(input, zero) - c.Potential(input, final);
            Assert.True(Math.Abs(run.Heat![row] - dropV) < 0.02 + 2e-3 * Math.Abs(dropV), $"row {row}: heat {run.Heat[row]} vs −ΔV {dropV}");
            Assert.Equal(final.ToArray(), observer.Values.AsSpan((row * 2 + 1) * c.Moving, c.Moving).ToArray());
        }
    }
}
