namespace Thermo.Langevin;

/// <summary>
/// How long a Langevin computer runs: Euler–Maruyama steps of size Δt up to the observation time
/// t_f = <see cref="Steps"/>·Δt, all moving units starting at 0 as in the published code.
/// </summary>
/// <param name="Dt">Time step Δt (the published 1e-3, read as microseconds for electrical hardware).</param>
/// <param name="Steps">Number of steps (200 → t_f = 0.2).</param>
public readonly record struct LangevinSchedule(float Dt, int Steps)
{
    /// <summary>Observation time t_f = Steps · Δt.</summary>
    public double FinalTime => Steps * (double)Dt;

    /// <summary>The published schedule: Δt = 1e-3, t_f = 0.2.</summary>
    public static LangevinSchedule Published => new(1e-3f, 200);

    /// <summary>The schedule reaching <paramref name="finalTime"/> with step <paramref name="dt"/>.</summary>
    public static LangevinSchedule ForTime(float dt, double finalTime)
    {
        if (!(dt > 0)) throw new ArgumentException($"time step must be positive, got {dt}");
        if (!(finalTime >= 0)) throw new ArgumentException($"observation time must be non-negative, got {finalTime}");
        return new(dt, (int)Math.Round(finalTime / dt));
    }

    /// <summary>Throws when the schedule is unusable.</summary>
    public void Validate()
    {
        if (!(Dt > 0) || !float.IsFinite(Dt)) throw new ArgumentException($"time step must be positive and finite, got {Dt}");
        if (Steps < 0) throw new ArgumentException($"steps must be non-negative, got {Steps}");
    }
}
