using Thermo.Blocks;
using Thermo.Sampling;

namespace Thermo.Analysis;

/// <summary>
/// Measures the accuracy of many <see cref="BlockSchedule"/>s by real Gibbs sampling, sharing work between them:
/// schedules that agree on blocks 0…b−1 give block b the same inputs, and one run of block b with the largest
/// G_b yields the sign-average of every smaller G_b (<see cref="PrefixSumObserver"/>), so each block runs once per
/// distinct (upstream prefix, burn-in). Replicate r uses seed + r; replicate 0 reproduces
/// <c>thermo eval</c> (<see cref="BlockPipeline.Evaluate"/>) with one chain and that seed.
/// </summary>
public static class ScheduleMeasurement
{
    /// <summary>
    /// Accuracy of every schedule on the examples (first-block input rows <paramref name="inputs"/>,
    /// labels <paramref name="labels"/>, global indices from <paramref name="firstIndex"/>), processed <paramref name="batch"/> at a time.
    /// </summary>
    public static IReadOnlyList<ScheduleOutcome> Measure(BlockPipeline pipeline, sbyte[] inputs, int[] labels, long firstIndex,
        IReadOnlyList<BlockSchedule> schedules, int replicates, ulong seed, int batch = 32, Action<string>? progress = null)
    {
        int count = labels.Length, width = pipeline.InputWidth(0);
        if (inputs.Length != (long)count * width) throw new ArgumentException($"inputs hold {inputs.Length} values, {count} examples need {count * width}");
        if (replicates < 1) throw new ArgumentException($"replicates must be ≥ 1, got {replicates}");
        foreach (var s in schedules)
            if (s.Blocks != pipeline.Blocks) throw new ArgumentException($"schedule {s} has {s.Blocks} blocks, the network {pipeline.Blocks}");
        var distinct = schedules.Distinct().ToList();
        var correct = distinct.ToDictionary(s => s, _ => new double[count]);
        for (int start = 0; start < count; start += batch)
        {
            int n = Math.Min(batch, count - start);
            var x = inputs.AsSpan(start * width, n * width).ToArray();
            for (int r = 0; r < replicates; r++)
                Level(pipeline, 0, x, n, firstIndex + start, distinct, seed + (ulong)r, (s, slot, cls) =>
                {
                    if (cls == labels[start + slot]) correct[s][start + slot] += 1.0 / replicates;
                });
            progress?.Invoke($"{start + n}/{count} examples");
        }
        return schedules.Select(s => new ScheduleOutcome(s, s.Cost(pipeline.FreeSpins), correct[s], replicates)).ToList();
    }

    static void Level(BlockPipeline p, int block, sbyte[] x, int n, long firstIndex, IReadOnlyList<BlockSchedule> group, ulong seed,
        Action<BlockSchedule, int, int> decide)
    {
        foreach (var byBurnIn in group.GroupBy(s => s.BurnIn[block]))
        {
            var gs = byBurnIn.Select(s => s.Samples[block]).Distinct().Order().ToArray();
            var prefix = p.RunPrefix(block, x, n, firstIndex, 1, byBurnIn.Key, gs, seed);
            for (int j = 0; j < gs.Length; j++)
            {
                var children = byBurnIn.Where(s => s.Samples[block] == gs[j]).ToList();
                if (block == p.Blocks - 1)
                {
                    for (int slot = 0; slot < n; slot++)
                    {
                        int cls = BlockPipeline.ArgMax(p.Scores(prefix, slot, 1, j));
                        foreach (var s in children) decide(s, slot, cls);
                    }
                }
                else Level(p, block + 1, BlockPipeline.Signs(prefix, n, 1, j, seed, block, firstIndex), n, firstIndex, children, seed, decide);
            }
        }
    }
}
