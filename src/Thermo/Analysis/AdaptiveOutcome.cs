namespace Thermo.Analysis;

/// <summary>Measured result of <see cref="AdaptiveSampler.Run"/>.</summary>
/// <param name="Correct">Per example, whether the final decision was right.</param>
/// <param name="StoppedAt">Per example, the stage at which sampling stopped.</param>
/// <param name="SpinUpdates">Per example and block, Ising spin updates actually spent ([example][block]).</param>
/// <param name="DigitalOps">Per example, digital operations (sign-average accumulations, signs, class sums, tests, arg-max).</param>
public sealed record AdaptiveOutcome(bool[] Correct, int[] StoppedAt, long[][] SpinUpdates, long[] DigitalOps)
{
    /// <summary>Fraction classified correctly.</summary>
    public double Accuracy => Correct.Length == 0 ? double.NaN : Correct.Count(c => c) / (double)Correct.Length;
    /// <summary>Mean Ising spin updates per example.</summary>
    public double MeanCost => SpinUpdates.Length == 0 ? double.NaN : SpinUpdates.Average(s => (double)s.Sum());
    /// <summary>Mean spin updates per example in block b.</summary>
    public double MeanBlockCost(int block) => SpinUpdates.Average(s => (double)s[block]);
    /// <summary>Examples that stopped at each stage.</summary>
    public int[] StageCounts(int stages)
    {
        var c = new int[stages];
        foreach (int s in StoppedAt) c[s]++;
        return c;
    }
}
