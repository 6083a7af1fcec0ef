using Thermo.Langevin;

namespace Thermo.Tests.Langevin;

public class TrajectoryBackpropTests
{
    [Fact]
    public void Forward_pass_follows_the_simulator_trajectories()
    {
        var c = LangevinSimulatorTests.RandomComputer(9, 7, 4, 41, scale: 1f);
        var s = new LangevinSchedule(1e-2f, 23);
        var x = new float[5 * 9];
        LangevinSimulatorTests.Fill(x, 1, 2, 1.5f);
        var bp = new TrajectoryBackprop(c, s);
        var final = new float[5 * 3 * c.Moving];
        bp.Run(x, new int[5], 5, 3, seed: 7, salt: 4, firstInput: 10, gradient: false, final: final);
        var sim = LangevinSimulator.Run(c, s, x, 5, new LangevinRunOptions { Trajectories = 3, Seed = 7, Salt = 4, FirstInput = 10 });
        for (int i = 0; i < final.Length; i++) Assert.True(MathF.Abs(final[i] - sim.Final[i]) < 1e-4f, $"element {i}: {final[i]} vs {sim.Final[i]}");
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.05f)]
    public void Pathwise_gradients_match_finite_differences_with_the_noise_held_fixed(float heatPenalty)
    {
        var c = LangevinSimulatorTests.RandomComputer(6, 5, 3, 42, scale: 1.2f);
        var s = new LangevinSchedule(2e-2f, 15);
        const int count = 4, trajectories = 2;
        var x = new float[count * 6];
        LangevinSimulatorTests.Fill(x, 3, 3, 1.5f);
        int[] labels = [0, 2, 1, 2];
        var bp = new TrajectoryBackprop(c, s) { ReadoutScale = 3f, HeatPenalty = heatPenalty };
        bp.Run(x, labels, count, trajectories, 5, 1, 0);
        var gIn = (float[])bp.InputCouplingGrad.Clone();
        var gJ = (float[])bp.MovingCouplingGrad.Clone();
        var gB = (float[])bp.BiasGrad.Clone();
        double Loss() => bp.Run(x, labels, count, trajectories, 5, 1, 0, gradient: false).Loss;
        void Check(float[] param, int index, int? twin, float expected, string what)
        {
            double fd = FiniteDifference.Central(Loss, param, index, twin, 2e-3f);
            Assert.True(Math.Abs(fd - expected) <= 2e-3 + 2e-2 * Math.Abs(fd), $"{what}: pathwise {expected}, finite difference {fd}");
        }
        int m = c.Moving;
        for (int i = 0; i < m; i++) Check(c.Bias, i, null, gB[i], $"b[{i}]");
        for (int q = 0; q < c.Inputs; q += 2)
            for (int i = 0; i < m; i++) Check(c.InputCoupling, q * m + i, null, gIn[q * m + i], $"J_in[{q},{i}]");
        for (int i = 0; i < m; i++)
            for (int q = i + 1; q < m; q++) Check(c.MovingCoupling, i * m + q, q * m + i, gJ[i * m + q], $"J[{i},{q}]");
    }

    [Fact]
    public void Gradients_do_not_depend_on_thread_count()
    {
        var c = LangevinSimulatorTests.RandomComputer(30, 20, 10, 43, scale: 1f);
        var s = new LangevinSchedule(1e-3f, 40);
        const int count = 33;
        var x = new float[count * 30];
        LangevinSimulatorTests.Fill(x, 6, 6, 1.5f);
        var labels = Enumerable.Range(0, count).Select(i => i % 10).ToArray();
        int saved = Thermo.Kernels.ParallelRange.Threads;
        try
        {
            float[][] Grads(int threads)
            {
                Thermo.Kernels.ParallelRange.Threads = threads;
                var bp = new TrajectoryBackprop(c, s);
                bp.Run(x, labels, count, 2, 9, 3, 0);
                return [(float[])bp.InputCouplingGrad.Clone(), (float[])bp.MovingCouplingGrad.Clone(), (float[])bp.BiasGrad.Clone()];
            }
            var one = Grads(1);
            var two = Grads(2);
            for (int k = 0; k < 3; k++) Assert.Equal(one[k], two[k]);
        }
        finally { Thermo.Kernels.ParallelRange.Threads = saved; }
    }
}
