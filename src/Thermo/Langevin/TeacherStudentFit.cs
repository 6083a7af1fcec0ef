using Thermo.Autograd;
using Thermo.Tensors;

namespace Thermo.Langevin;

/// <summary>
/// Teacher–student training (Whitelam 2025): the teacher's activations on each training input define an idealised
/// trajectory (<see cref="IdealTrajectory"/>); the computer's biases and couplings maximise the summed path
/// log-likelihood of those trajectories (<see cref="PathStatistics"/>, solved exactly by <see cref="PathLikelihoodFit"/>).
/// </summary>
public sealed class TeacherStudentFit
{
    /// <summary>The idealised trajectory design.</summary>
    public required IdealTrajectory Trajectory { get; init; }
    /// <summary>The convex solver.</summary>
    public PathLikelihoodFit Solver { get; init; } = new();
    /// <summary>Inputs per statistics chunk (memory ≈ chunk × steps × M × 8 bytes).</summary>
    public int Chunk { get; init; } = 250;

    /// <summary>Sets <paramref name="computer"/>'s parameters from the teacher's trajectories on <paramref name="count"/> inputs [count × I].</summary>
    public PathFitReport Fit(LangevinComputer computer, LangevinSchedule schedule, LangevinTeacher teacher, ReadOnlySpan<float> inputs, int count, Action<int>? progress = null)
    {
        var stats = Accumulate(computer, schedule, teacher, inputs, count, progress);
        return Solver.Solve(stats, computer);
    }

    /// <summary>The sufficient statistics of the idealised trajectories (reusable across solver settings).</summary>
    public PathStatistics Accumulate(LangevinComputer computer, LangevinSchedule schedule, LangevinTeacher teacher, ReadOnlySpan<float> inputs, int count, Action<int>? progress = null)
    {
        int ni = computer.Inputs, m = computer.Moving, h = computer.Hidden, s = schedule.Steps;
        var stats = new PathStatistics(computer, schedule.Dt);
        var activations = new float[m];
        var paths = new float[Chunk * (s + 1) * m];
        bool wasTraining = teacher.Training;
        teacher.Eval();
        try
        {
            for (int start = 0; start < count; start += Chunk)
            {
                int n = Math.Min(Chunk, count - start);
                using (new TensorScope())
                using (GradMode.NoGrad())
                {
                    var x = Tensor.FromArray(inputs.Slice(start * ni, n * ni), n, ni);
                    var (hid, outp) = teacher.Activations(x);
                    for (int r = 0; r < n; r++)
                    {
                        hid.Data.AsSpan(r * h, h).CopyTo(activations);
                        outp.Data.AsSpan(r * computer.Outputs, computer.Outputs).CopyTo(activations.AsSpan(h));
                        Trajectory.Fill(activations, computer, schedule, paths.AsSpan(r * (s + 1) * m, (s + 1) * m));
                    }
                }
                stats.Add(inputs.Slice(start * ni, n * ni), paths.AsSpan(0, n * (s + 1) * m), n, s);
                progress?.Invoke(start + n);
            }
        }
        finally { teacher.Train(wasTraining); }
        return stats;
    }
}
