using Thermo.Autograd;
using Thermo.Blocks;
using Thermo.Data;
using Thermo.Randomness;
using Thermo.Tensors;
using Thermo.Training;
using Thermo.Evaluation;

namespace Thermo.Tests.Evaluation;

/// <summary>Runs alone: it reads the shared tensor pool and this thread's allocation counter.</summary>
[CollectionDefinition(nameof(EvaluationMemoryTests), DisableParallelization = true)]
public sealed class EvaluationMemoryCollection;

[Collection(nameof(EvaluationMemoryTests))]
public sealed class EvaluationMemoryTests
{
    // Two conv blocks and a dense one on 3×15×15 colour images: odd sizes so no other test's buffers share its lengths.
    const string Spec = """
        {"name": "memory-probe", "family": "ising-blocks", "input": [3, 15, 15], "classes": 4,
         "binarize": [0.3, 0.6], "delta": 0.5, "population": 3,
         "blocks": [
           {"hidden": {"type": "conv2d", "out": 24, "kernel": 3, "padding": 1},
            "output": {"type": "conv2d", "out": 20, "kernel": 3, "stride": 2, "padding": 1}},
           {"hidden": {"type": "conv2d", "out": 28, "kernel": 3, "padding": 1},
            "output": {"type": "conv2d", "out": 16, "kernel": 3, "stride": 2, "padding": 1}},
           {"hidden": {"type": "linear", "out": 40}, "output": {"type": "linear"}}],
         "objective": {"samples": 16, "iterations": 3, "variance": true}}
        """;

    static IsingBlockNet Net()
    {
        var net = (IsingBlockNet)ModelSpec.Parse(Spec).Build();
        net.Initialize(11);
        net.Eval();
        return net;
    }

    static LabeledImages Images(int count)
    {
        var pixels = new byte[count * 3 * 15 * 15];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(Philox.Uniform(5, 0, (ulong)i) * 256);
        var labels = new int[count];
        for (int i = 0; i < count; i++) labels[i] = i % 4;
        return new LabeledImages("probe", "test", 3, 15, 15, pixels, labels, ["a", "b", "c", "d"], []);
    }

    [Fact]
    public void Evaluation_records_no_autograd_graph_in_any_mode()
    {
        var net = Net();
        var data = Images(40);
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad));
        long before = GradMode.RecordedOnThisThread;
        Evaluator.Run(net, data, Normalization.UnitRange, EvalMode.Forward, batchSize: 16);
        Evaluator.Run(net, data, Normalization.UnitRange, EvalMode.MeanField, batchSize: 16);
        Evaluator.Run(net, data, Normalization.UnitRange, EvalMode.Gibbs, new GibbsSettings(BlockSchedule.Uniform(3, 4, burnIn: 2)), batchSize: 16);
        Assert.Equal(before, GradMode.RecordedOnThisThread);

        // The counter does see a graph when one is recorded, so the equality above can fail.
        using (new TensorScope())
        {
            var x = new Tensor(new float[2 * 3 * 15 * 15], 2, 3, 15, 15);
            net.Loss(x, [0, 1], 0, new Dictionary<string, double>());
        }
        Assert.True(GradMode.RecordedOnThisThread > before);
    }

    [Fact]
    public void Mean_field_evaluation_memory_does_not_grow_with_the_example_count()
    {
        var net = Net();
        const int batch = 25;
        Evaluator.Run(net, Images(batch), Normalization.UnitRange, EvalMode.MeanField, batchSize: batch); // JIT and kernel workspaces

        (long PeakFloats, long AllocatedBytes) Measure(int count)
        {
            var data = Images(count);
            TensorScope.ResetPeak();
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            Evaluator.Run(net, data, Normalization.UnitRange, EvalMode.MeanField, batchSize: batch);
            return (TensorScope.PeakFloatsOnThisThread, GC.GetAllocatedBytesForCurrentThread() - allocated);
        }

        var small = Measure(4 * batch);
        var large = Measure(16 * batch);
        // The tensors alive at once are those of one batch's current stage, whatever the number of batches.
        Assert.Equal(small.PeakFloats, large.PeakFloats);
        // Twelve more batches allocate only their small bookkeeping (scores, predictions), far less than one
        // batch's tensors: a tensor kept across batches would miss the pool and be allocated again each batch.
        long perExtraBatch = (large.AllocatedBytes - small.AllocatedBytes) / 12;
        Assert.True(perExtraBatch < small.PeakFloats * sizeof(float) / 4,
            $"{perExtraBatch} bytes allocated per extra batch; one batch's working set is {small.PeakFloats * sizeof(float)} bytes");

        // Staging is what bounds it: the same forward pass holding every intermediate (as autograd must) needs more.
        var x = new Tensor(new float[batch * 3 * 15 * 15], batch, 3, 15, 15);
        long staged;
        using (GradMode.NoGrad())
        {
            TensorScope.ResetPeak();
            using (new TensorScope()) net.Forward(x);
            staged = TensorScope.PeakFloatsOnThisThread;
        }
        TensorScope.ResetPeak();
        using (new TensorScope()) net.Forward(x);
        Assert.True(TensorScope.PeakFloatsOnThisThread > 2 * staged,
            $"unstaged forward held {TensorScope.PeakFloatsOnThisThread} floats, staged {staged}");
    }

    [Fact]
    public void Evaluation_between_training_steps_returns_what_it_took_and_keeps_the_steps_buffers()
    {
        var net = Net();
        var x = new Tensor(new float[16 * 3 * 15 * 15], 16, 3, 15, 15);
        Philox.FillUniform(2, 0, 0, x.Data);
        int[] labels = [.. Enumerable.Range(0, 16).Select(i => i % 4)];
        void Step()
        {
            net.Train();
            using var scope = new TensorScope();
            net.Loss(x, labels, 0, new Dictionary<string, double>()).Backward();
        }
        TensorPool.Clear();
        Step();
        long pooledAfterStep = TensorPool.PooledFloats;
        Assert.True(pooledAfterStep > 0);

        Evaluator.Run(net, Images(60), Normalization.UnitRange, EvalMode.MeanField, batchSize: 20);
        Assert.Equal(pooledAfterStep, TensorPool.PooledFloats);

        // The next step finds its buffers in the pool: it allocates far less than the step's tensors.
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        Step();
        long stepBytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.True(stepBytes < pooledAfterStep * sizeof(float) / 4, $"a training step after evaluation allocated {stepBytes} bytes; its tensors take {pooledAfterStep * sizeof(float)}");
    }

    [Fact]
    public void A_step_larger_than_the_base_capacity_is_pooled_whole_so_the_next_step_reuses_every_buffer()
    {
        long baseCapacity = TensorPool.BaseCapacityFloats;
        try
        {
            TensorPool.Clear();
            TensorPool.BaseCapacityFloats = 1000;
            float[][] Step()
            {
                using var scope = new TensorScope();
                return [Tensor.Empty(300_001).Data, Tensor.Empty(200_003).Data, Tensor.Empty(7).Data];
            }
            var first = Step();
            Assert.Equal(500_011, TensorPool.LargestScopeFloats);
            Assert.Equal(500_011, TensorPool.PooledFloats);
            var second = Step();
            for (int i = 0; i < first.Length; i++) Assert.Same(first[i], second[i]);

            // The capacity is still a bound: a buffer beyond what the largest scope returned goes to the GC.
            TensorPool.Return(new float[600_000]);
            Assert.Equal(500_011, TensorPool.PooledFloats);
            Assert.Equal(500_011, TensorPool.CapacityFloats);
        }
        finally
        {
            TensorPool.BaseCapacityFloats = baseCapacity;
            TensorPool.Clear();
        }
    }
}
