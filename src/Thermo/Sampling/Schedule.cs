namespace Thermo.Sampling;

/// <summary>
/// How long a chain runs and when it is observed: <see cref="BurnIn"/> sweeps are discarded, then
/// <see cref="Samples"/> = G samples are taken, one after every <see cref="SweepsPerSample"/> sweeps, so a run
/// is BurnIn + G·SweepsPerSample sweeps and sample k is the state after sweep BurnIn + (k+1)·SweepsPerSample − 1.
/// Optional annealing multiplies β by a factor rising linearly from <see cref="AnnealStart"/> at sweep 0 to 1
/// at sweep <see cref="AnnealSweeps"/>: β_t = β·(a + (1 − a)·t / T) for t &lt; T, β afterwards.
/// A schedule knows nothing about the program it drives.
/// </summary>
public sealed record Schedule
{
    /// <summary>Sweeps before the first sample.</summary>
    public int BurnIn { get; }
    /// <summary>Number of samples G.</summary>
    public int Samples { get; }
    /// <summary>Sweeps between samples (1 = every sweep).</summary>
    public int SweepsPerSample { get; }
    /// <summary>β factor at sweep 0 when annealing (1 = none).</summary>
    public float AnnealStart { get; }
    /// <summary>Length T of the linear β ramp (0 = none).</summary>
    public int AnnealSweeps { get; }

    /// <summary>Creates a schedule; throws <see cref="ArgumentException"/> on negative counts.</summary>
    public Schedule(int burnIn, int samples, int sweepsPerSample = 1, float annealStart = 1f, int annealSweeps = 0)
    {
        if (burnIn < 0) throw new ArgumentException($"burn-in must be ≥ 0 sweeps, got {burnIn}");
        if (samples < 0) throw new ArgumentException($"samples must be ≥ 0, got {samples}");
        if (sweepsPerSample < 1) throw new ArgumentException($"sweeps per sample must be ≥ 1, got {sweepsPerSample}");
        if (!(annealStart > 0) || !float.IsFinite(annealStart)) throw new ArgumentException($"anneal start factor must be positive, got {annealStart}");
        if (annealSweeps < 0) throw new ArgumentException($"anneal sweeps must be ≥ 0, got {annealSweeps}");
        if ((long)burnIn + (long)samples * sweepsPerSample > int.MaxValue) throw new ArgumentException("schedule is longer than int.MaxValue sweeps");
        BurnIn = burnIn; Samples = samples; SweepsPerSample = sweepsPerSample; AnnealStart = annealStart; AnnealSweeps = annealSweeps;
    }

    /// <summary>Total sweeps of a run.</summary>
    public int TotalSweeps => BurnIn + Samples * SweepsPerSample;

    /// <summary>
    /// The cost of sampling: <paramref name="chains"/> chains of a program with <paramref name="freeSpins"/> free spins
    /// run for <paramref name="sweeps"/> sweeps update n·sweeps·chains spins (a sweep updates every free spin once).
    /// </summary>
    public static long SpinUpdates(long freeSpins, long sweeps, long chains = 1) => freeSpins * sweeps * chains;

    /// <summary><see cref="SpinUpdates(long, long, long)"/> of this schedule's <see cref="TotalSweeps"/>.</summary>
    public long SpinUpdates(long freeSpins, long chains = 1) => SpinUpdates(freeSpins, TotalSweeps, chains);

    /// <summary>The sample index taken after sweep <paramref name="sweep"/>, or −1 when that sweep is not observed.</summary>
    public int SampleAt(int sweep)
    {
        int t = sweep - BurnIn + 1;
        if (t <= 0 || t % SweepsPerSample != 0) return -1;
        int k = t / SweepsPerSample - 1;
        return k < Samples ? k : -1;
    }

    /// <summary>The β factor of sweep <paramref name="sweep"/> (1 without annealing).</summary>
    public float BetaFactor(int sweep) =>
        sweep >= AnnealSweeps ? 1f : AnnealStart + (1f - AnnealStart) * sweep / AnnealSweeps;
}
