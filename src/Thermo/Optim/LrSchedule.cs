namespace Thermo.Optim;

/// <summary>Shape of the learning-rate curve.</summary>
public enum LrShape
{
    /// <summary>Constant after warm-up.</summary>
    Constant,
    /// <summary>Half-cosine from the peak to <see cref="LrSchedule.FinalFraction"/>·peak after warm-up.</summary>
    Cosine,
    /// <summary>One-cycle (Smith 2018): linear rise over the warm-up, then linear fall to the final fraction.</summary>
    OneCycle,
}

/// <summary>
/// Learning rate as a function of the step: linear warm-up from 0 over <see cref="WarmupSteps"/>, then the
/// chosen shape until <see cref="TotalSteps"/>. Pure function of the step, so resuming is exact.
/// </summary>
public sealed record LrSchedule(float Peak, long TotalSteps, long WarmupSteps = 0, LrShape Shape = LrShape.Cosine, float FinalFraction = 0f)
{
    /// <summary>Learning rate at step <paramref name="step"/> (0-based).</summary>
    public float At(long step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps) return Peak * (step + 1) / WarmupSteps;
        long span = Math.Max(1, TotalSteps - WarmupSteps);
        double t = Math.Clamp((double)(step - WarmupSteps) / span, 0, 1);
        double floor = FinalFraction * Peak;
        return Shape switch
        {
            LrShape.Constant => Peak,
            LrShape.Cosine => (float)(floor + (Peak - floor) * 0.5 * (1 + Math.Cos(Math.PI * t))),
            LrShape.OneCycle => (float)(Peak - (Peak - floor) * t),
            _ => Peak,
        };
    }
}
