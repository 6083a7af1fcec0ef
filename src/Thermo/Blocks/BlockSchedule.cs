using System.Globalization;
using Thermo.Sampling;

namespace Thermo.Blocks;

/// <summary>
/// How long each block of an Ising-block network is sampled per input: <see cref="BurnIn"/>[b] = T_b discarded sweeps,
/// then <see cref="Samples"/>[b] = G_b samples (one per sweep) whose sign-average is the block's output.
/// Its Ising cost per input is Σ_b n_b·(T_b + G_b) spin updates for n_b free spins in block b (one chain).
/// Written <c>G0/T0,G1/T1,…</c> (<see cref="ToString"/>), the form every command reads (<see cref="Parse"/>).
/// </summary>
public sealed record BlockSchedule
{
    /// <summary>Samples G_b per block.</summary>
    public int[] Samples { get; }
    /// <summary>Burn-in sweeps T_b per block.</summary>
    public int[] BurnIn { get; }

    /// <summary>Creates a schedule; G_b ≥ 1, T_b ≥ 0, one entry per block.</summary>
    public BlockSchedule(int[] samples, int[] burnIn)
    {
        if (samples.Length == 0 || samples.Length != burnIn.Length)
            throw new ArgumentException($"schedule needs samples and burn-in for every block, got {samples.Length} and {burnIn.Length}");
        for (int b = 0; b < samples.Length; b++)
        {
            if (samples[b] < 1) throw new ArgumentException($"block {b}: samples must be ≥ 1, got {samples[b]}");
            if (burnIn[b] < 0) throw new ArgumentException($"block {b}: burn-in must be ≥ 0, got {burnIn[b]}");
        }
        Samples = (int[])samples.Clone();
        BurnIn = (int[])burnIn.Clone();
    }

    /// <summary>The same G and burn-in T in every one of <paramref name="blocks"/> blocks.</summary>
    public static BlockSchedule Uniform(int blocks, int samples, int burnIn) =>
        new(Enumerable.Repeat(samples, blocks).ToArray(), Enumerable.Repeat(burnIn, blocks).ToArray());

    /// <summary>Number of blocks.</summary>
    public int Blocks => Samples.Length;

    /// <summary>Sweeps T_b + G_b of block b.</summary>
    public int Sweeps(int block) => BurnIn[block] + Samples[block];

    /// <summary>Block b's schedule: T_b burn-in sweeps, then G_b samples, one per sweep.</summary>
    public Schedule Block(int block) => new(BurnIn[block], Samples[block]);

    /// <summary>Whether every block has the same burn-in.</summary>
    public bool HasUniformBurnIn => BurnIn.AsSpan().IndexOfAnyExcept(BurnIn[0]) < 0;

    /// <summary>Σ_b n_b (T_b + G_b): spin updates per input with one chain, for free-spin counts <paramref name="freeSpins"/>.</summary>
    public double Cost(IReadOnlyList<long> freeSpins)
    {
        if (freeSpins.Count != Blocks) throw new ArgumentException($"cost needs {Blocks} free-spin counts, got {freeSpins.Count}");
        double c = 0;
        for (int b = 0; b < Blocks; b++) c += Schedule.SpinUpdates(freeSpins[b], Sweeps(b));
        return c;
    }

    /// <summary>A key equal for equal schedules (records compare arrays by reference).</summary>
    public string Key => ToString();

    /// <summary>
    /// Parses a schedule of <paramref name="blocks"/> blocks: "G" (the same G in every block), "G0,G1,…", or with a burn-in
    /// per block "G0/T0,G1/T1,…"; an entry without "/T" takes <paramref name="burnIn"/>. Errors name <paramref name="option"/>.
    /// </summary>
    public static BlockSchedule Parse(string text, int blocks, int burnIn, string option = "--schedule", int maxSamples = int.MaxValue)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var g = new int[parts.Length];
        var t = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            var gt = parts[i].Split('/');
            if (gt.Length > 2 || !int.TryParse(gt[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out g[i]) || g[i] < 1 || g[i] > maxSamples)
                throw new ArgumentException($"{option}: '{parts[i]}' is not an integer from 1 to {maxSamples}" + (gt.Length > 1 ? " with a burn-in after '/'" : ""));
            if (gt.Length == 1) t[i] = burnIn;
            else if (!int.TryParse(gt[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out t[i]) || t[i] < 0)
                throw new ArgumentException($"{option}: '{parts[i]}' has burn-in '{gt[1]}', expected an integer ≥ 0 after '/'");
        }
        if (parts.Length == 1 && blocks > 1) return new BlockSchedule(Enumerable.Repeat(g[0], blocks).ToArray(), Enumerable.Repeat(t[0], blocks).ToArray());
        if (parts.Length != blocks) throw new ArgumentException($"{option}: give one value or one per block ({blocks} blocks), got {parts.Length}");
        return new BlockSchedule(g, t);
    }

    /// <summary>The text form G0/T0,G1/T1,… that <see cref="Parse"/> reads.</summary>
    public override string ToString() => string.Join(",", Samples.Select((g, b) => string.Create(CultureInfo.InvariantCulture, $"{g}/{BurnIn[b]}")));
    /// <inheritdoc/>
    public bool Equals(BlockSchedule? other) => other is not null && Samples.AsSpan().SequenceEqual(other.Samples) && BurnIn.AsSpan().SequenceEqual(other.BurnIn);
    /// <inheritdoc/>
    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);
}
