using Thermo.Autograd;
using Thermo.Blocks;
using Thermo.Data;
using Thermo.Nn;
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
        GibbsSettings? gibbs = null, int start = 0, int count = -1, int batchSize = 100, Action<int, int>? progress = null)
    {
        var blockNet = model as IsingBlockNet;
        if (mode != EvalMode.Forward && blockNet is null)
            throw new ArgumentException($"--mode {mode.ToString().ToLowerInvariant()} needs a thermodynamic (ising-blocks) model; this one is digital: use --mode forward");
        if (mode == EvalMode.Gibbs)
        {
            if (gibbs is null) throw new ArgumentException("Gibbs evaluation needs sampling settings");
            return RunGibbs(new BlockPipeline(blockNet!), data, normalization, gibbs, start, count, batchSize, progress);
        }
        model.Eval();
        return Score(data, normalization, start, count, batchSize, progress, 0, (batch, _) =>
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
        int start = 0, int count = -1, int batchSize = 100, Action<int, int>? progress = null) =>
        Score(data, normalization, start, count, batchSize, progress, pipeline.Blocks, (batch, first) =>
        {
            var r = pipeline.Evaluate(batch.Images, gibbs.Schedule, gibbs.Chains, gibbs.Seed, first);
            return (r.Scores, pipeline.Classes, r.SpinUpdates);
        });

    /// <summary>Top-1 and top-2 scoring over batches; <paramref name="classify"/> gets a batch and its first example's index.</summary>
    static EvalResult Score(LabeledImages data, Normalization normalization, int start, int count, int batchSize, Action<int, int>? progress,
        int blocks, Func<ImageBatch, long, (float[] Scores, int Classes, long[]? SpinUpdates)> classify)
    {
        if (count < 0) count = data.Count - start;
        if (start < 0 || start + count > data.Count) throw new ArgumentException($"examples [{start}, {start + count}) outside the dataset's {data.Count}");
        var poolMark = TensorPool.Mark();
        var loader = new DataLoader(data.Slice(start, count), new DataLoaderOptions { BatchSize = batchSize, Shuffle = false, Normalization = normalization, Prefetch = 1 });
        long[] updates = new long[blocks];
        var predictions = new int[count];
        int correct = 0, top2 = 0, done = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var batch in loader.Epoch(0))
        {
            using var _ = batch;
            var (scores, classes, spinUpdates) = classify(batch, start + done);
            if (spinUpdates is not null)
                for (int b = 0; b < updates.Length; b++) updates[b] += spinUpdates[b];
            for (int i = 0; i < batch.Count; i++)
            {
                var row = scores.AsSpan(i * classes, classes);
                int best = 0, second = -1;
                for (int c = 1; c < classes; c++)
                {
                    if (row[c] > row[best]) { second = best; best = c; }
                    else if (second < 0 || row[c] > row[second]) second = c;
                }
                predictions[done + i] = best;
                if (best == batch.Labels[i]) correct++;
                if (best == batch.Labels[i] || second == batch.Labels[i]) top2++;
            }
            done += batch.Count;
            progress?.Invoke(done, count);
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
