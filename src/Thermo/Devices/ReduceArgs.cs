namespace Thermo.Devices;

/// <summary>
/// A segmented reduction of <see cref="TrainingKernels"/>: segment s sums f(x) over x[(i·Segments + s)·Inner + j] for
/// i &lt; Outer, j &lt; Inner (a channel of an NCHW tensor: Outer = images, Inner = positions; a whole vector: one segment).
/// </summary>
internal struct ReduceArgs
{
    public int Outer, Segments, Inner;
    /// <summary><see cref="ReduceMode"/>.</summary>
    public int Mode;
    /// <summary>Bound b of <see cref="ReduceMode.ReluSquares"/>.</summary>
    public float Bound;
    /// <summary>Add to the output instead of overwriting it.</summary>
    public int Accumulate;
}

/// <summary>What a <see cref="ReduceArgs"/> reduction computes per segment.</summary>
internal static class ReduceMode
{
    /// <summary>Σ x.</summary>
    public const int Sum = 0;
    /// <summary>Σ (x − y)².</summary>
    public const int SquaredDifference = 1;
    /// <summary>Σ relu(x − b)².</summary>
    public const int ReluSquares = 2;
    /// <summary>max x.</summary>
    public const int Max = 3;
}
