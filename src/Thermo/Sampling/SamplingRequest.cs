namespace Thermo.Sampling;

/// <summary>
/// One sampling run: every input of <see cref="Inputs"/> × <see cref="Chains"/> independent chains, driven by
/// <see cref="Schedule"/>, with random numbers keyed by <see cref="Seed"/>; optionally only one shard of the
/// (input, chain) grid.
/// </summary>
public sealed record SamplingRequest(InputBatch Inputs, int Chains, Schedule Schedule, ulong Seed)
{
    /// <summary>The share of the (input, chain) grid to run.</summary>
    public Shard Shard { get; init; } = Shard.All;

    /// <summary>Total (input, chain) items of the full grid.</summary>
    public int Items => checked(Inputs.Count * Chains);
}
