namespace Thermo.Evaluation;

/// <summary>Accuracy and, for Gibbs sampling, its cost.</summary>
/// <param name="Correct">Correctly classified examples.</param>
/// <param name="Count">Examples evaluated.</param>
/// <param name="Top2">Examples whose label is among the two best scores.</param>
/// <param name="SpinUpdates">Spin updates spent per block (Gibbs only).</param>
/// <param name="Predictions">Predicted class per evaluated example.</param>
/// <param name="Seconds">Wall time.</param>
public sealed record EvalResult(int Correct, int Count, int Top2, long[] SpinUpdates, int[] Predictions, double Seconds)
{
    /// <summary>Top-1 accuracy in [0, 1].</summary>
    public double Accuracy => Count == 0 ? 0 : (double)Correct / Count;
    /// <summary>Top-2 accuracy in [0, 1].</summary>
    public double Top2Accuracy => Count == 0 ? 0 : (double)Top2 / Count;
}
