namespace Thermo.Sampling;

/// <summary>
/// An observer that averages values of every input (spins, spin products) over every sample of every chain, with exact
/// integer sums kept per worker and folded at the end (<see cref="PerInputSums"/>), so the result is independent of
/// threads and shards. A subclass says in <see cref="Observer.Begin"/> how many values it sums and adds them in
/// <see cref="Observer.Observe"/>.
/// </summary>
public abstract class AveragingObserver : Observer
{
    private protected PerInputSums Totals { get; } = new();
    /// <summary>One spin buffer per worker for reading a chain's state.</summary>
    private protected sbyte[][] Scratch { get; private set; } = [];

    /// <summary>Number of input slots.</summary>
    public int Inputs => Totals.Inputs;

    /// <summary>Prepares the sums (<paramref name="valuesPerInput"/> per input) and a worker buffer of <paramref name="scratchLength"/> spins.</summary>
    private protected void BeginSums(SamplingContext context, int valuesPerInput, int scratchLength)
    {
        Totals.Begin(context, valuesPerInput);
        Scratch = new sbyte[context.Workers][];
        for (int w = 0; w < context.Workers; w++) Scratch[w] = new sbyte[scratchLength];
    }

    /// <inheritdoc/>
    public override void End()
    {
        Totals.End();
        Scratch = [];
    }

    /// <summary>The sums over all observations of input <paramref name="slot"/>.</summary>
    public ReadOnlySpan<long> Sums(int slot) => Totals.Sums(slot);

    /// <summary>Number of observations (samples × chains) of input <paramref name="slot"/>.</summary>
    public long Count(int slot) => Totals.Count(slot);

    /// <summary>The averages (sums / count) of input <paramref name="slot"/>; NaN when nothing was observed.</summary>
    public float[] Mean(int slot) => Totals.Mean(slot);
}
