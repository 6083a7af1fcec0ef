using Thermo.Blocks;

namespace Thermo.Analysis;

/// <summary>Accuracy of one schedule, predicted from a pilot and measured by sampling.</summary>
/// <param name="Schedule">The schedule.</param>
/// <param name="Cost">Spin updates per inference.</param>
/// <param name="Predicted">Predicted accuracy (NaN if not predicted).</param>
/// <param name="PredictedError">Standard error of the prediction from the pilot's randomness.</param>
/// <param name="Measured">Measured accuracy (NaN if not measured).</param>
/// <param name="MeasuredError">Standard error of the measurement (for one replicate the binomial upper bound √(a(1 − a)/N)).</param>
public sealed record CurvePoint(BlockSchedule Schedule, double Cost, double Predicted, double PredictedError, double Measured, double MeasuredError)
{
    /// <summary>Predicted − measured.</summary>
    public double Difference => Predicted - Measured;
}
