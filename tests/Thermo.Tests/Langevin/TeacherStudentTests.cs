using Thermo.Langevin;
using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Tests.Langevin;

public class TeacherStudentTests
{
    [Theory]
    [InlineData(0.5f)]
    [InlineData(3f)]
    [InlineData(-40f)]
    public void Equilibrium_response_solves_the_force_balance(float z)
    {
        float u = EquilibriumResponse.Solve(z, 1.3f, 0.6f);
        Assert.Equal(z, 2 * 1.3f * u + 4 * 0.6f * u * u * u, 3e-5f * Math.Max(1, Math.Abs(z)));
    }

    /// <summary>A three-class problem in 8 dimensions: Gaussian blobs whose centres differ in sign patterns.</summary>
    static (float[] X, int[] Y) Blobs(int n, ulong stream)
    {
        var x = new float[n * 8];
        var y = new int[n];
        Philox.FillNormal(3, stream, 0, x);
        for (int i = 0; i < n; i++)
        {
            y[i] = (int)(Philox.Uniform(4, stream, (ulong)i) * 3);
            for (int d = 0; d < 8; d++) x[i * 8 + d] = 0.7f * x[i * 8 + d] + ((d + y[i]) % 3 == 0 ? 1.2f : -0.6f);
        }
        return (x, y);
    }

    [Fact]
    public void Training_on_a_tiny_synthetic_task_converges_and_fine_tuning_helps_under_noise()
    {
        var (x, y) = Blobs(1200, 1);
        var (xt, yt) = Blobs(600, 2);
        var options = new LangevinTrainingOptions
        {
            Hidden = 6, TeacherEpochs = 30, TeacherBatch = 32, TeacherLearningRate = 1e-2f, ReadoutScale = 4f,
            Trajectory = new IdealTrajectory(TrajectoryShape.Relaxation), Schedule = new LangevinSchedule(1e-3f, 200),
        };
        var result = LangevinTraining.Train(options, x, y, 1200, 8, 0, 3, InputNormalization.Mnist(0));
        double teacher = LangevinTraining.TeacherAccuracy(result.Teacher, xt, yt, 600, 8);
        Assert.True(teacher > 0.9, $"teacher accuracy {teacher}");
        Assert.True(result.Fit.RelativeResidual < 1e-8, $"fit residual {result.Fit.RelativeResidual}");

        // Noise-free, the fitted computer reproduces the teacher closely; with noise it is above chance (1/3).
        var cold = result.Computer.Clone();
        cold.KT = 0;
        var coldScores = LangevinEvaluation.Evaluate(cold, options.Schedule, xt, yt, 600);
        Assert.True(coldScores.Top1 > teacher - 0.08, $"noise-free computer {coldScores.Top1} vs teacher {teacher}");
        var noisy = LangevinEvaluation.Evaluate(result.Computer, options.Schedule, xt, yt, 600, trajectories: 4);
        Assert.True(noisy.Top1 > 0.5, $"noisy single-trajectory accuracy {noisy.Top1}");

        // Fine-tuning through the noisy dynamics raises single-trajectory accuracy (5σ of the estimate's spread).
        new NoisyDynamicsTraining { Epochs = 6, BatchSize = 40, LearningRate = 2e-2f }.Train(result.Computer, options.Schedule, x, y, 1200);
        var tuned = LangevinEvaluation.Evaluate(result.Computer, options.Schedule, xt, yt, 600, trajectories: 4);
        Assert.True(tuned.Top1 > Math.Max(0.85, noisy.Top1 + 5 * noisy.Top1StdErr), $"fine-tuned {tuned.Top1} vs before {noisy.Top1} ± {noisy.Top1StdErr}");
    }
}
