using Thermo.Blocks;
using Thermo.Randomness;
using Thermo.Sampling;

namespace Thermo.Analysis;

/// <summary>
/// Adaptive inference: every example climbs a ladder of schedules S₀ ⊂ S₁ ⊂ … and stops at the first stage whose
/// class decision passes a sequential test. At stage k the first block's chain simply continues to G₀⁽ᵏ⁾ samples
/// (counter-based randomness makes a longer run's prefix identical, so only the extra sweeps are charged); the later
/// blocks get new inputs and are re-run from a fresh state (burn-in charged again). The test on the last block's
/// per-sample class sums y_t: leader L, for every rival c the mean difference d̄_c = mean_t(y_L − y_c), its per-sample
/// variance v_c, and z_c = d̄_c / √(v_c τ_B / G_B + U_k), where U_k is the variance the stage's upstream sign-averages
/// add to d̄ (they are frozen within a run, so more last-block samples cannot remove it). Stop when
/// min_c z_c ≥ Φ⁻¹(1 − ε/(C − 1)), or at the last stage. Spin updates are counted as a machine would spend them.
/// </summary>
public static class AdaptiveSampler
{
    /// <summary>Runs the adaptive scheme on the examples (first-block inputs, labels, global indices from <paramref name="firstIndex"/>).</summary>
    public static AdaptiveOutcome Run(BlockPipeline pipeline, sbyte[] inputs, int[] labels, long firstIndex, AdaptiveOptions options, ulong seed,
        Action<string>? progress = null)
    {
        var ladder = options.Ladder;
        if (ladder.Count == 0) throw new ArgumentException("the adaptive ladder needs at least one stage");
        int blocks = pipeline.Blocks, last = blocks - 1, classes = pipeline.Classes, pop = pipeline.Population;
        for (int k = 0; k < ladder.Count; k++)
        {
            if (ladder[k].Blocks != blocks) throw new ArgumentException($"stage {k} schedule {ladder[k]} has {ladder[k].Blocks} blocks, the network {blocks}");
            if (k > 0 && (ladder[k].Samples[0] < ladder[k - 1].Samples[0] || ladder[k].BurnIn[0] != ladder[0].BurnIn[0]))
                throw new ArgumentException("block 0's samples must not decrease along the ladder and its burn-in must stay fixed (its chain continues)");
        }
        var upstream = options.UpstreamVariance ?? new double[ladder.Count];
        if (upstream.Count != ladder.Count) throw new ArgumentException($"need an upstream variance for each of the {ladder.Count} stages");
        double z = Gaussian.Quantile(1 - options.Epsilon / (classes - 1));
        int n = labels.Length, width = pipeline.InputWidth(0);
        var correct = new bool[n];
        var stopped = new int[n];
        var spins = new long[n][];
        var digital = new long[n];
        for (int i = 0; i < n; i++) spins[i] = new long[blocks];
        for (int start = 0; start < n; start += options.Batch)
        {
            int count = Math.Min(options.Batch, n - start);
            var active = Enumerable.Range(start, count).ToList();
            for (int k = 0; k < ladder.Count && active.Count > 0; k++)
            {
                var s = ladder[k];
                // Gather the active examples' inputs; they keep their global indices, so block 0 continues its chains.
                var decided = new List<int>();
                foreach (var group in Consecutive(active))
                {
                    int a = group.Start, m = group.Count;
                    var x = inputs.AsSpan(a * width, m * width).ToArray();
                    for (int b = 0; b < blocks; b++)
                    {
                        ulong blockSeed = b == 0 || k == 0 ? seed : Philox.Stream(seed, (ulong)k, 0xADA);
                        if (b < last)
                        {
                            var prefix = pipeline.RunPrefix(b, x, m, firstIndex + a, 1, s.BurnIn[b], [s.Samples[b]], blockSeed);
                            x = BlockPipeline.Signs(prefix, m, 1, 0, blockSeed, b, firstIndex + a);
                            continue;
                        }
                        var trace = new GroupTraceObserver(BlockPipeline.OutputLayer, GroupTraceObserver.Populations(classes, pop));
                        var sums = pipeline.RunPrefix(b, x, m, firstIndex + a, 1, s.BurnIn[b], [s.Samples[b]], blockSeed, trace);
                        for (int j = 0; j < m; j++)
                        {
                            int i = a + j;
                            bool final = k == ladder.Count - 1;
                            if (Test(trace, j, s.BurnIn[b], s.Samples[b], classes, pop, options.Tau, upstream[k], z) || final)
                            {
                                // The decision is the evaluator's arg-max of the class scores (float ties included).
                                correct[i] = BlockPipeline.ArgMax(pipeline.Scores(sums, j, 1, 0)) == labels[i];
                                stopped[i] = k;
                                decided.Add(i);
                            }
                        }
                    }
                    for (int j = 0; j < m; j++) Charge(pipeline, ladder, k, a + j, spins, digital);
                }
                active.RemoveAll(decided.Contains);
            }
            progress?.Invoke($"adaptive {start + count}/{n} examples");
        }
        return new AdaptiveOutcome(correct, stopped, spins, digital);
    }

    static void Charge(BlockPipeline p, IReadOnlyList<BlockSchedule> ladder, int k, int i, long[][] spins, long[] digital)
    {
        var s = ladder[k];
        // Block 0 continues: charge only the sweeps beyond the previous stage.
        int previous = k == 0 ? 0 : ladder[k - 1].Sweeps(0);
        spins[i][0] += Schedule.SpinUpdates(p.FreeSpins[0], s.Sweeps(0) - previous);
        for (int b = 1; b < p.Blocks; b++) spins[i][b] += Schedule.SpinUpdates(p.FreeSpins[b], s.Sweeps(b));
        // Digital work: accumulating every output spin per sample and taking signs (intermediate blocks), class sums and
        // the test's running moments (last block: C sums + C(C+1)/2 cross products per sample), arg-max.
        long ops = 0;
        for (int b = 0; b < p.Blocks - 1; b++) ops += (long)p.OutputSize(b) * ((b == 0 ? s.Samples[0] - (k == 0 ? 0 : ladder[k - 1].Samples[0]) : s.Samples[b]) + 1);
        int c = p.Classes;
        ops += (long)s.Samples[^1] * (p.OutputSize(p.Blocks - 1) + c * (c + 1) / 2) + 4L * (c - 1);
        digital[i] += ops;
    }

    static bool Test(GroupTraceObserver trace, int slot, int burnIn, int samples, int classes, int population, double tau, double upstream, double z)
    {
        var sum = new double[classes];
        for (int t = burnIn; t < burnIn + samples; t++)
        {
            var y = trace.At(slot, 0, t);
            for (int c = 0; c < classes; c++) sum[c] += y[c];
        }
        int leader = BlockPipeline.ArgMax(sum);
        double worst = double.PositiveInfinity;
        for (int c = 0; c < classes; c++)
        {
            if (c == leader) continue;
            double mean = (sum[leader] - sum[c]) / samples, sq = 0;
            for (int t = burnIn; t < burnIn + samples; t++)
            {
                var y = trace.At(slot, 0, t);
                double d = y[leader] - y[c] - mean;
                sq += d * d;
            }
            double prior = 2.0 * population;   // one pseudo-sample with the variance of a difference of two fair P-spin sums
            double v = (sq + prior) / samples;
            double zc = mean / Math.Sqrt(v * tau / samples + upstream);
            worst = Math.Min(worst, zc);
        }
        return worst >= z;
    }

    static IEnumerable<(int Start, int Count)> Consecutive(List<int> sorted)
    {
        int i = 0;
        while (i < sorted.Count)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            yield return (sorted[i], j - i + 1);
            i = j + 1;
        }
    }
}
