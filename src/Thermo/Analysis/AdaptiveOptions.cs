using Thermo.Blocks;

namespace Thermo.Analysis;

/// <summary>
/// Settings of <see cref="AdaptiveSampler"/>: a ladder of schedules of increasing length, the error budget ε of the
/// stopping test, the last block's autocorrelation time and, per stage, the variance the upstream sign-averages add to
/// the last block's mean class-sum differences (from <see cref="PilotModel.UpstreamVariance"/>; zeros to ignore it).
/// </summary>
public sealed record AdaptiveOptions
{
    /// <summary>Stage schedules; G_b must not decrease from one stage to the next (block 0's chain continues).</summary>
    public required IReadOnlyList<BlockSchedule> Ladder { get; init; }
    /// <summary>Error budget ε: stop when every rival's z exceeds Φ⁻¹(1 − ε/(C − 1)).</summary>
    public double Epsilon { get; init; } = 0.01;
    /// <summary>Integrated autocorrelation time τ_B of the last block's class sums.</summary>
    public double Tau { get; init; } = 1;
    /// <summary>Per stage, the upstream variance U_k of mean class-sum differences (same length as the ladder).</summary>
    public IReadOnlyList<double>? UpstreamVariance { get; init; }
    /// <summary>Examples processed together.</summary>
    public int Batch { get; init; } = 32;
}
