using Thermo.Langevin;

namespace Thermo.Tests.Langevin;

public class PathLikelihoodTests
{
    static (LangevinComputer C, float[] Input, float[] Path) Setup(int steps, CouplingClasses classes = CouplingClasses.Published)
    {
        var c = LangevinSimulatorTests.RandomComputer(5, 4, 3, 21, scale: 0.8f, classes: classes);
        c.KT = 0.6f; c.Mobility = 1.3f;
        var input = new float[5];
        LangevinSimulatorTests.Fill(input, 4, 4, 1.5f);
        var path = new float[(steps + 1) * c.Moving];
        LangevinSimulatorTests.Fill(path, 5, 5, 1.2f);
        return (c, input, path);
    }

    [Fact]
    public void Closed_form_gradients_match_finite_differences()
    {
        const int steps = 6;
        const float dt = 0.01f;
        var (c, input, path) = Setup(steps);
        var g = new LangevinGradient(c);
        PathLikelihood.Accumulate(c, dt, input, path, steps, g);
        int m = c.Moving;

        double Nll() => PathLikelihood.NegLogLikelihood(c, dt, input, path, steps);
        // −ln P is quadratic in the parameters, so a central difference is exact up to rounding.
        void Check(float[] param, int index, int? twin, double expected, string what)
        {
            double fd = FiniteDifference.Central(Nll, param, index, twin, 1e-2f);
            Assert.True(Math.Abs(fd - expected) <= 2e-3 * Math.Max(1, Math.Abs(fd)), $"{what}: closed form {expected}, finite difference {fd}");
        }
        for (int i = 0; i < m; i++) Check(c.Bias, i, null, g.Bias[i], $"b[{i}]");
        for (int j = 0; j < c.Inputs; j++)
            for (int i = 0; i < m; i++) Check(c.InputCoupling, j * m + i, null, g.InputCoupling[j * m + i], $"J_in[{j},{i}]");
        for (int i = 0; i < m; i++)
            for (int j = i + 1; j < m; j++) Check(c.MovingCoupling, i * m + j, j * m + i, g.MovingCoupling[i * m + j], $"J[{i},{j}]");
    }

    [Fact]
    public void Switched_off_classes_get_no_gradient()
    {
        var (c, input, path) = Setup(4, CouplingClasses.InputHidden | CouplingClasses.HiddenOutput);
        var g = new LangevinGradient(c);
        PathLikelihood.Accumulate(c, 0.01f, input, path, 4, g);
        int m = c.Moving, h = c.Hidden;
        for (int j = 0; j < c.Inputs; j++)
            for (int i = h; i < m; i++) Assert.Equal(0, g.InputCoupling[j * m + i]);
        for (int i = 0; i < h; i++)
            for (int j = 0; j < h; j++) Assert.Equal(0, g.MovingCoupling[i * m + j]);
        Assert.NotEqual(0, g.MovingCoupling[0 * m + h]);
    }

    [Fact]
    public void Statistics_reproduce_the_per_path_likelihood()
    {
        const int steps = 7, paths = 9;
        const float dt = 0.02f;
        var (c, _, _) = Setup(steps);
        var inputs = new float[paths * c.Inputs];
        var all = new float[paths * (steps + 1) * c.Moving];
        LangevinSimulatorTests.Fill(inputs, 7, 7, 1f);
        LangevinSimulatorTests.Fill(all, 8, 8, 1f);
        var stats = new PathStatistics(c, dt);
        stats.Add(inputs.AsSpan(0, 4 * c.Inputs), all.AsSpan(0, 4 * (steps + 1) * c.Moving), 4, steps);
        stats.Add(inputs.AsSpan(4 * c.Inputs), all.AsSpan(4 * (steps + 1) * c.Moving), paths - 4, steps);
        double direct = 0;
        for (int n = 0; n < paths; n++)
            direct += PathLikelihood.NegLogLikelihood(c, dt, inputs.AsSpan(n * c.Inputs, c.Inputs), all.AsSpan(n * (steps + 1) * c.Moving, (steps + 1) * c.Moving), steps);
        Assert.Equal(direct, stats.NegLogLikelihood(c), 1e-4 * Math.Abs(direct));
    }

    [Fact]
    public void Fit_is_stationary_and_recovers_the_couplings_that_generated_noisy_paths()
    {
        // Paths simulated by a known computer are a sample of its path measure; the maximum-likelihood fit must
        // find parameters back within their statistical error and sit at a zero of the closed-form gradient.
        var truth = LangevinSimulatorTests.RandomComputer(6, 5, 3, 31, scale: 1.5f);
        var schedule = new LangevinSchedule(1e-2f, 60);
        const int inputs = 64, trajectories = 16;
        var x = new float[inputs * truth.Inputs];
        LangevinSimulatorTests.Fill(x, 32, 32, 1.5f);
        var recorder = new TrajectoryObserver(inputs * trajectories, 0, truth.Moving);
        LangevinSimulator.Run(truth, schedule, x, inputs, new LangevinRunOptions { Trajectories = trajectories, Seed = 3, Observer = recorder });
        var repeated = new float[inputs * trajectories * truth.Inputs];
        for (int r = 0; r < inputs * trajectories; r++) x.AsSpan(r / trajectories * truth.Inputs, truth.Inputs).CopyTo(repeated.AsSpan(r * truth.Inputs));

        var fitted = new LangevinComputer(truth.Inputs, truth.Hidden, truth.Outputs, truth.Classes);
        var stats = new PathStatistics(fitted, schedule.Dt);
        stats.Add(repeated, recorder.Values, inputs * trajectories, schedule.Steps);
        var report = new PathLikelihoodFit { Ridge = 1e-9 }.Solve(stats, fitted);
        Assert.True(report.RelativeResidual < 1e-6, $"CG stopped at relative residual {report.RelativeResidual}");

        // Stationarity with the per-path closed-form gradient.
        var g = new LangevinGradient(fitted);
        for (int r = 0; r < inputs * trajectories; r++)
            PathLikelihood.Accumulate(fitted, schedule.Dt, repeated.AsSpan(r * truth.Inputs, truth.Inputs),
                recorder.Values.AsSpan(r * (schedule.Steps + 1) * truth.Moving, (schedule.Steps + 1) * truth.Moving), schedule.Steps, g);
        double gmax = 0;
        foreach (double v in g.Bias) gmax = Math.Max(gmax, Math.Abs(v));
        foreach (double v in g.InputCoupling) gmax = Math.Max(gmax, Math.Abs(v));
        for (int i = 0; i < fitted.Moving; i++) for (int j = 0; j < fitted.Moving; j++) if (i != j) gmax = Math.Max(gmax, Math.Abs(g.MovingCoupling[i * fitted.Moving + j]));
        // Scale: the gradient of one parameter sums ~ paths × steps residuals of size √(2μkTΔt) / (2kT).
        double bscale = Math.Sqrt((double)inputs * trajectories * schedule.Steps * 2 * schedule.Dt) / 2;
        Assert.True(gmax < 1e-3 * bscale, $"gradient at the fit {gmax} (scale {bscale})");

        // Recovery: the Hessian of −ln P in row θ_i is (μΔt/2kT)·G, so the estimator's covariance is (2kT/μΔt)·G⁻¹
        // (tied couplings have two rows of evidence and are tighter). Allow 5 standard errors.
        int d = stats.Dim, m = truth.Moving, ni = truth.Inputs;
        var l = PathLikelihoodFit.Cholesky(stats.G, d);
        var se = new double[d];
        for (int a = 0; a < d; a++)
        {
            var e = new double[d];
            e[a] = 1;
            for (int i = 0; i < d; i++) { double s = e[i]; for (int j = 0; j < i; j++) s -= l[i * d + j] * e[j]; e[i] = s / l[i * d + i]; }
            double q = 0;
            foreach (double v in e) q += v * v;   // (G⁻¹)_aa = ‖L⁻¹ e_a‖²
            se[a] = Math.Sqrt(2 * truth.KT / (truth.Mobility * schedule.Dt) * q);
        }
        double worst = 0;
        for (int i = 0; i < m; i++)
        {
            worst = Math.Max(worst, Math.Abs(fitted.Bias[i] - truth.Bias[i]) / se[d - 1]);
            for (int j = 0; j < ni; j++) worst = Math.Max(worst, Math.Abs(fitted.InputCoupling[j * m + i] - truth.InputCoupling[j * m + i]) / se[j]);
            for (int j = 0; j < m; j++) if (j != i) worst = Math.Max(worst, Math.Abs(fitted.MovingCoupling[i * m + j] - truth.MovingCoupling[i * m + j]) / se[ni + j]);
        }
        Assert.True(worst < 5, $"largest parameter error is {worst:F2} standard errors");
    }
}
