namespace Thermo.Sampling;

/// <summary>
/// One contribution to a layer's local fields, in the gather form every layered coupling reduces to:
/// field[TargetBase[p] + o] += Σ_taps Σ_{c&lt;CS} Weights[tap, c, o] · spins[SourceBase[p] + TapOffset[tap] + c]
/// for positions p and o &lt; CT. A convolution is one op (taps = kernel offsets); its transpose is one op per
/// stride phase; a dense block is one op with a single target position.
/// </summary>
internal sealed class GatherOp
{
    public required int Target { get; init; }
    public required int Source { get; init; }
    public required int[] TargetBase { get; init; }
    public required int[] SourceBase { get; init; }
    public required int[] TapOffset { get; init; }
    /// <summary>[tap][CS][CT], already scaled by the temperature gradient.</summary>
    public required float[] Weights { get; init; }
    public required int CS { get; init; }
    public required int CT { get; init; }
    public required string Name { get; init; }

    /// <summary>Multiply-adds of one full application.</summary>
    public long FullCost => (long)TargetBase.Length * TapOffset.Length * CS * CT;
}
