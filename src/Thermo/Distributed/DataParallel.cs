using Thermo.Nn;
using Thermo.Tensors;

namespace Thermo.Distributed;

/// <summary>
/// Synchronous data parallelism over the processes of an <see cref="MpiWorld"/>. Every rank draws the same global
/// batch of B examples and trains on its rows [⌊rB/P⌋, ⌊(r+1)B/P⌋). The gradient of the global mean loss is
/// g = Σ_r (b_r/B)·g_r, where g_r is rank r's gradient of its own mean loss over b_r examples. Each rank receives
/// every b_r/B·g_r by an all-gather and adds them in rank order 0…P−1 in double precision, so all ranks apply the
/// same bits whatever algorithm MPI uses internally. g equals one process's gradient over the whole batch up to
/// float rounding (a different summation order); docs/cluster.md states the resulting tolerance.
/// </summary>
public sealed class DataParallel(MpiWorld world)
{
    float[] send = [], gathered = [];
    int[] labels = [];
    List<Tensor>? parameters;

    /// <summary>The processes taking part.</summary>
    public MpiWorld World { get; } = world;

    /// <summary>Rows [start, end) of a global batch of <paramref name="batchSize"/> that this rank trains on.</summary>
    public (int Start, int End) Rows(int batchSize) =>
        ((int)((long)batchSize * World.Rank / World.Size), (int)((long)batchSize * (World.Rank + 1) / World.Size));

    /// <summary>This rank's rows of a global batch; call inside the step's <see cref="TensorScope"/>.</summary>
    public (Tensor Images, int[] Labels) Slice(Tensor globalImages, int[] globalLabels)
    {
        int batchSize = globalLabels.Length;
        var (start, end) = Rows(batchSize);
        int count = end - start, row = globalImages.Length / batchSize;
        var shape = (int[])globalImages.Shape.Clone();
        shape[0] = count;
        var images = Tensor.Empty(shape);
        globalImages.Data.AsSpan(start * row, count * row).CopyTo(images.Data);
        if (labels.Length != count) labels = new int[count];
        globalLabels.AsSpan(start, count).CopyTo(labels);
        return (images, labels);
    }

    /// <summary>
    /// Replaces this rank's gradients (of its mean loss over <paramref name="localCount"/> examples) with the global
    /// batch's, and returns the global mean loss and whether any rank asked to stop, so that all ranks stop after
    /// the same step.
    /// </summary>
    public (double Loss, bool Stop) CombineGradients(Module model, double localLoss, int localCount, int globalCount, bool stop)
    {
        parameters ??= model.Parameters();
        int n = 2;
        foreach (var p in parameters) n += p.Length;
        if (send.Length != n)
        {
            send = new float[n];
            gathered = new float[n * World.Size];
        }
        float weight = (float)localCount / globalCount;
        send[0] = (float)(localLoss * weight);
        send[1] = stop ? 1 : 0;
        int at = 2;
        foreach (var p in parameters)
        {
            var dst = send.AsSpan(at, p.Length);
            if (p.Grad is { } g)
                for (int i = 0; i < dst.Length; i++) dst[i] = g.Data[i] * weight;
            else dst.Clear();
            at += p.Length;
        }
        World.AllGather(send, gathered);
        at = 2;
        foreach (var p in parameters)
        {
            if (p.Grad is { } g)
            {
                var dst = g.Data.AsSpan(0, p.Length);
                for (int i = 0; i < dst.Length; i++) dst[i] = SumOverRanks(at + i, n);
            }
            at += p.Length;
        }
        return (SumOverRanks(0, n), SumOverRanks(1, n) > 0);
    }

    float SumOverRanks(int index, int stride)
    {
        double sum = 0;
        for (int r = 0; r < World.Size; r++) sum += gathered[r * stride + index];
        return (float)sum;
    }

    /// <summary>Copies rank 0's weights and buffers to every rank, so all start from the same state however they got it.</summary>
    public void BroadcastState(Module model)
    {
        foreach (var (_, t) in model.StateDict()) World.Broadcast(t.Data.AsSpan(0, t.Length));
    }
}
