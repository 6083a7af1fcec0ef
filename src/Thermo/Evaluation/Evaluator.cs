using Thermo.Autograd;
using Thermo.Blocks;
using Thermo.Data;
using Thermo.Nn;
using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Evaluation;

/// <summary>Evaluates trained models on a labelled dataset.</summary>
public static class Evaluator
{
    /// <summary>
    /// Evaluates examples [start, start + count) of <paramref name="data"/>. Gibbs randomness is keyed by the
    /// example's index, so any split of the range (shards, batches) gives the same per-example results.
    /// Memory does not depend on the number of examples: batches of <paramref name="batchSize"/> run without
    /// autograd, each block of a block network in its own stage (<see cref="InferenceStage"/>), and the pooled
    /// buffers go back to the GC at the end.
    /// </summary>
    public static EvalResult Run(Module model, LabeledImages data, Normalization normalization, EvalMode mode,
        GibbsSettings? gibbs = null, int start = 0, int count = -1, int batchSize = 100, Action<int, int>? progress = null,
        IReadOnlyList<TestTimeView>? views = null)
    {
        var blockNet = model as IsingBlockNet;
        if (mode != EvalMode.Forward && blockNet is null)
            throw new ArgumentException($"--mode {mode.ToString().ToLowerInvariant()} needs a thermodynamic (ising-blocks) model; this one is digital: use --mode forward");
        if (mode == EvalMode.Gibbs)
        {
            if (gibbs is null) throw new ArgumentException("Gibbs evaluation needs sampling settings");
            return RunGibbs(new BlockPipeline(blockNet!), data, normalization, gibbs, start, count, batchSize, progress, views);
        }
        model.Eval();
        return Score(data, normalization, start, count, batchSize, progress, 0, views, (batch, _, _) =>
        {
            using var scope = new TensorScope();
            using var noGrad = GradMode.NoGrad();
            var y = model.Forward(batch.Images);
            return ((float[])y.Data.Clone(), y.Shape[1], null);
        });
    }

    /// <summary>
    /// Gibbs evaluation of a compiled network (<see cref="Run"/> compiles a checkpoint's network first); the same
    /// per-example randomness, so results equal those of the checkpoint it was compiled from.
    /// </summary>
    public static EvalResult RunGibbs(BlockPipeline pipeline, LabeledImages data, Normalization normalization, GibbsSettings gibbs,
        int start = 0, int count = -1, int batchSize = 100, Action<int, int>? progress = null, IReadOnlyList<TestTimeView>? views = null) =>
        Score(data, normalization, start, count, batchSize, progress, pipeline.Blocks, views, (batch, first, view) =>
        {
            var r = pipeline.Evaluate(batch.Images, gibbs.Schedule, gibbs.Chains, ViewSeed(gibbs.Seed, view), first);
            return (r.Scores, pipeline.Classes, r.SpinUpdates);
        });

    /// <summary>
    /// The sampling seed of test-time view <paramref name="view"/>: view 0 keeps <paramref name="seed"/> (so a run with
    /// views starts with exactly the run without), every later view draws its own from Philox keyed by (seed, view),
    /// so the chains of different views are independent.
    /// </summary>
    public static ulong ViewSeed(ulong seed, int view)
    {
        if (view == 0) return seed;
        var (x0, x1, _, _) = Philox.Block(seed, Philox.Stream(ViewSeedStream, (ulong)view), 0);
        return x0 | (ulong)x1 << 32;
    }

    const ulong ViewSeedStream = 0x7474_6100; // "tta"

    /// <summary>
    /// Top-1 and top-2 scoring over batches; <paramref name="classify"/> gets a batch, its first example's index and the
    /// view's position. With test-time <paramref name="views"/> every example is classified once per view and its class
    /// scores summed before the arg-max (a view's cost adds to the spin updates).
    /// </summary>
    static EvalResult Score(LabeledImages data, Normalization normalization, int start, int count, int batchSize, Action<int, int>? progress,
        int blocks, IReadOnlyList<TestTimeView>? views, Func<ImageBatch, long, int, (float[] Scores, int Classes, long[]? SpinUpdates)> classify)
    {
        if (count < 0) count = data.Count - start;
        if (start < 0 || start + count > data.Count) throw new ArgumentException($"examples [{start}, {start + count}) outside the dataset's {data.Count}");
        views ??= [TestTimeView.Identity];
        if (views.Count == 0) throw new ArgumentException("at least one test-time view is needed", nameof(views));
        var poolMark = TensorPool.Mark();
        var slice = data.Slice(start, count);
        long[] updates = new long[blocks];
        float[]? total = null;
        int classes = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int v = 0; v < views.Count; v++)
        {
            var loader = new DataLoader(views[v].Apply(slice), new DataLoaderOptions { BatchSize = batchSize, Shuffle = false, Normalization = normalization, Prefetch = 1 });
            int done = 0;
            foreach (var batch in loader.Epoch(0))
            {
                using var _ = batch;
                var (scores, batchClasses, spinUpdates) = classify(batch, start + done, v);
                if (total is null) { classes = batchClasses; total = new float[(long)count * classes]; }
                if (spinUpdates is not null)
                    for (int b = 0; b < updates.Length; b++) updates[b] += spinUpdates[b];
                var sum = total.AsSpan(done * classes, batch.Count * classes);
                var add = scores.AsSpan(0, batch.Count * classes);
                for (int k = 0; k < sum.Length; k++) sum[k] += add[k];
                done += batch.Count;
                progress?.Invoke(v * count + done, views.Count * count);
            }
        }
        total ??= [];
        var predictions = new int[count];
        int correct = 0, top2 = 0;
        for (int i = 0; i < count; i++)
        {
            var row = total.AsSpan(i * classes, classes);
            int best = 0, second = -1;
            for (int c = 1; c < classes; c++)
            {
                if (row[c] > row[best]) { second = best; best = c; }
                else if (second < 0 || row[c] > row[second]) second = c;
            }
            predictions[i] = best;
            int label = slice.Labels[i];
            if (best == label) correct++;
            if (best == label || second == label) top2++;
        }
        // Evaluation's batch shapes differ from training's, so the buffers it pooled would only sit there (a training
        // run evaluates every epoch): release those, keep the ones pooled before (the training step's), and collect
        // now, so the process returns to its training footprint instead of carrying the evaluation's as garbage.
        TensorPool.ReleaseSince(poolMark);
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect();
        return new EvalResult(correct, count, top2, updates, predictions, clock.Elapsed.TotalSeconds);
    }
}
