namespace Thermo.Blocks;

/// <summary>
/// How an <see cref="IsingBlockNet"/> is trained so it keeps its accuracy under Gibbs sampling: noise of
/// <see cref="Samples"/> readout samples per block, mean-field iterations with feedback, variance propagation,
/// the weights of the fixed-point and magnitude penalties, and label smoothing of the readout's cross-entropy.
/// </summary>
public sealed record BlockObjective
{
    /// <summary>Samples G per block the readout noise is matched to (0 disables the noise).</summary>
    public float Samples { get; init; } = 64;
    /// <summary>Mean-field passes (the first without feedback).</summary>
    public int Iterations { get; init; } = 2;
    /// <summary>Propagate the hidden layer's binary variance to the output (off = plain mean field; for ablations).</summary>
    public bool PropagateVariance { get; init; } = true;
    /// <summary>Weight of the fixed-point residual.</summary>
    public float FixedPointWeight { get; init; } = 1f;
    /// <summary>Weight of the magnitude penalty.</summary>
    public float MagnitudeWeight { get; init; } = 1f;
    /// <summary>Bound on δΣ_j|W₂,kj| for output units.</summary>
    public float OutputBound { get; init; } = 3f;
    /// <summary>Bound on the feedback row sums δΣ_k|W₂,kj| of hidden units.</summary>
    public float HiddenBound { get; init; } = 1f;

    /// <summary>
    /// Label smoothing ε of the readout's cross-entropy: the target is (1 − ε)·onehot + ε/K over the K classes, so the loss
    /// is −Σ_k q_k log softmax(logits)_k (0: plain cross-entropy).
    /// </summary>
    public float LabelSmoothing { get; init; }

    /// <summary>The settings in words, for reports and messages (not the record's member dump).</summary>
    public override string ToString()
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        string text = string.Create(c,
            $"readout noise of G = {Samples:G} samples per block, {Iterations} mean-field iteration(s) with feedback, variance propagation {(PropagateVariance ? "on" : "off")}, " +
            $"fixed-point weight {FixedPointWeight:G}, magnitude weight {MagnitudeWeight:G}, output bound {OutputBound:G}, hidden bound {HiddenBound:G}");
        return LabelSmoothing > 0 ? text + string.Create(c, $", label smoothing {LabelSmoothing:G}") : text;
    }
}
