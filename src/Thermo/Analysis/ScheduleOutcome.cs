using Thermo.Blocks;

namespace Thermo.Analysis;

/// <summary>
/// Measured accuracy of one <see cref="BlockSchedule"/> on a set of examples over several independent replicate runs.
/// </summary>
/// <param name="Schedule">The schedule.</param>
/// <param name="Cost">Ising spin updates per input, Σ_b n_b (T_b + G_b).</param>
/// <param name="CorrectFraction">Per example, the fraction of replicates that classified it correctly.</param>
/// <param name="Replicates">Independent runs (seeds seed, seed + 1, …).</param>
public sealed record ScheduleOutcome(BlockSchedule Schedule, double Cost, double[] CorrectFraction, int Replicates)
{
    /// <summary>Accuracy averaged over examples and replicates.</summary>
    public double Accuracy => CorrectFraction.Length == 0 ? double.NaN : CorrectFraction.Average();

    /// <summary>
    /// Standard error of <see cref="Accuracy"/> as an estimate of the expected accuracy on these examples:
    /// √(Σ_i P_i(1 − P_i)/R)/N with P_i(1 − P_i) estimated without bias from the replicates. One replicate cannot
    /// estimate it; then the upper bound √(a(1 − a)/N) is returned (Σ_i P_i(1 − P_i) ≤ N a(1 − a) for mean a, by Jensen).
    /// </summary>
    public double StandardError
    {
        get
        {
            if (CorrectFraction.Length == 0) return double.NaN;
            if (Replicates < 2) { double a = Accuracy; return Math.Sqrt(a * (1 - a) / CorrectFraction.Length); }
            double v = 0;
            foreach (double p in CorrectFraction) v += p * (1 - p) * Replicates / (Replicates - 1);
            return Math.Sqrt(v / Replicates) / CorrectFraction.Length;
        }
    }
}
