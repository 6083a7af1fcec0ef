namespace Thermo.Langevin;

/// <summary>Time course of an idealised trajectory from 0 to the teacher's activation A.</summary>
public enum TrajectoryShape
{
    /// <summary>x⁰(t) = A (1 − e^(−t/τ)) / (1 − e^(−t_f/τ)): fast approach, exactly A at t_f.</summary>
    Exponential,
    /// <summary>x⁰(t) = A t / t_f.</summary>
    Linear,
    /// <summary>
    /// The noise-free motion of a lone unit whose field holds its minimum at A: dx/dt = −μ(2J2 x + 4J4 x³ − z_A),
    /// z_A = 2J2 A + 4J4 A³, integrated with the schedule's Δt. Strongly driven units arrive, weakly driven ones lag,
    /// as the physical units do.
    /// </summary>
    Relaxation,
}

/// <summary>
/// The idealised trajectory x⁰(t) of teacher–student training (Whitelam 2025; docs/langevin.md): the path the
/// computer's moving units should follow so that their values at t_f are the teacher's activations, scaled by
/// <see cref="HiddenScale"/> and <see cref="OutputScale"/>.
/// </summary>
/// <param name="Shape">Time course.</param>
/// <param name="Tau">τ of <see cref="TrajectoryShape.Exponential"/> (same time unit as Δt).</param>
/// <param name="HiddenScale">Factor from hidden activations to hidden-unit targets.</param>
/// <param name="OutputScale">Factor from output activations to output-unit targets.</param>
public sealed record IdealTrajectory(TrajectoryShape Shape, float Tau = 0.04f, float HiddenScale = 1f, float OutputScale = 1f)
{
    /// <summary>Writes the path [(steps + 1) × M] for one input with teacher activations <paramref name="activations"/> [M] (hidden, then output).</summary>
    public void Fill(ReadOnlySpan<float> activations, LangevinComputer computer, LangevinSchedule schedule, Span<float> path)
    {
        int m = computer.Moving, s = schedule.Steps;
        if (activations.Length < m) throw new ArgumentException($"activations: expected {m} values, got {activations.Length}");
        if (path.Length < (s + 1) * m) throw new ArgumentException($"path: expected {s + 1}×{m} values, got {path.Length}");
        var a = new float[m];
        for (int i = 0; i < m; i++) a[i] = activations[i] * (i < computer.Hidden ? HiddenScale : OutputScale);
        switch (Shape)
        {
            case TrajectoryShape.Exponential:
            case TrajectoryShape.Linear:
            {
                double tf = schedule.FinalTime;
                double norm = Shape == TrajectoryShape.Exponential ? 1 - Math.Exp(-tf / Tau) : tf;
                for (int k = 0; k <= s; k++)
                {
                    double t = k * (double)schedule.Dt;
                    float f = (float)((Shape == TrajectoryShape.Exponential ? 1 - Math.Exp(-t / Tau) : t) / norm);
                    for (int i = 0; i < m; i++) path[k * m + i] = a[i] * f;
                }
                break;
            }
            case TrajectoryShape.Relaxation:
            {
                float step = schedule.Dt * computer.Mobility, c2 = 2 * computer.J2, c4 = 4 * computer.J4;
                for (int i = 0; i < m; i++)
                {
                    float z = c2 * a[i] + c4 * a[i] * a[i] * a[i];
                    float x = 0;
                    path[i] = 0;
                    for (int k = 1; k <= s; k++)
                    {
                        x -= step * (c2 * x + c4 * x * x * x - z);
                        path[k * m + i] = x;
                    }
                }
                break;
            }
            default: throw new ArgumentException($"unknown trajectory shape {Shape}");
        }
    }
}
