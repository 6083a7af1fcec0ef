using Thermo.Ising;

namespace Thermo.Sampling;

/// <summary>What observers learn when a run begins.</summary>
public sealed record SamplingContext(IsingProgram Program, SamplingRequest Request, int Workers, int FirstItem, int EndItem)
{
    /// <summary>Inputs in the batch (observers index by slot 0..InputCount−1).</summary>
    public int InputCount => Request.Inputs.Count;
    /// <summary>Chains per input.</summary>
    public int Chains => Request.Chains;
    /// <summary>The schedule.</summary>
    public Schedule Schedule => Request.Schedule;

    /// <summary>The (input, chain) items [start, end) that worker <paramref name="worker"/> runs, input-major.</summary>
    public (int Start, int End) WorkerItems(int worker) =>
        (FirstItem + (int)((long)(EndItem - FirstItem) * worker / Workers), FirstItem + (int)((long)(EndItem - FirstItem) * (worker + 1) / Workers));

    /// <summary>The input slots [first, last] that worker <paramref name="worker"/> touches (last &lt; first when it has no items).</summary>
    public (int First, int Last) WorkerSlots(int worker)
    {
        var (a, b) = WorkerItems(worker);
        return a >= b ? (0, -1) : (a / Chains, (b - 1) / Chains);
    }
}
