using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Data;

/// <summary>
/// Turns a <see cref="LabeledImages"/> split into float32 NCHW batches:
/// <c>x[b, c, y, x] = (T(v/255) − μ_c) / σ_c</c>, where v is the (augmented) pixel byte of image σ_e(k·B + b),
/// T binarises (v/255 &gt; threshold ? 1 : 0) when a threshold is set and is the identity otherwise.
/// The epoch order σ_e is a Fisher–Yates permutation driven by Philox keyed by (seed, stream(1, e)), so
/// <see cref="GetBatch"/>(e, k) is a pure function of (data, options, e, k): the same for any prefetch depth,
/// thread count, or after resuming mid-epoch. <see cref="Epoch"/> prepares the next
/// <see cref="DataLoaderOptions.Prefetch"/> batches on a background thread while the consumer trains.
/// </summary>
public sealed class DataLoader
{
    const ulong OrderStream = 1, AugmentStream = 2;
    readonly float[][] lookup;
    readonly ConcurrentBag<float[]> free = [];
    readonly int maxPooled;
    readonly Lock orderGate = new();
    (int Epoch, int[] Order)? cachedOrder;

    /// <summary>Creates a loader; throws <see cref="ArgumentException"/> on inconsistent options.</summary>
    public DataLoader(LabeledImages data, DataLoaderOptions? options = null)
    {
        options ??= new DataLoaderOptions();
        if (options.BatchSize < 1) throw new ArgumentException($"batch size must be at least 1, got {options.BatchSize}", nameof(options));
        if (options.Prefetch < 0) throw new ArgumentException($"prefetch must be at least 0, got {options.Prefetch}", nameof(options));
        if (options.Augmentation.Padding < 0 || options.Augmentation.Padding > Math.Min(data.Height, data.Width))
            throw new ArgumentException($"crop padding must be in 0..{Math.Min(data.Height, data.Width)}, got {options.Augmentation.Padding}", nameof(options));
        if (options.Augmentation.Cutout < 0 || options.Augmentation.Cutout > Math.Max(data.Height, data.Width))
            throw new ArgumentException($"cutout size must be in 0..{Math.Max(data.Height, data.Width)}, got {options.Augmentation.Cutout}", nameof(options));
        if (options.BinarizeThreshold is { } t && !float.IsFinite(t)) throw new ArgumentException("binarisation threshold must be finite", nameof(options));
        options.Normalization.Validate(data.Channels);
        Data = data;
        Options = options;
        int full = data.Count / options.BatchSize, rest = data.Count % options.BatchSize;
        BatchesPerEpoch = full + (rest > 0 && !options.DropLast ? 1 : 0);
        maxPooled = options.Prefetch + 4;
        // One 256-entry table per channel folds scaling, binarisation and normalisation into a lookup.
        lookup = new float[data.Channels][];
        for (int c = 0; c < data.Channels; c++)
        {
            var (mean, std) = options.Normalization.For(c);
            lookup[c] = new float[256];
            for (int v = 0; v < 256; v++)
            {
                float x = v / 255f;
                if (options.BinarizeThreshold is { } threshold) x = x > threshold ? 1f : 0f;
                lookup[c][v] = (x - mean) / std;
            }
        }
    }

    /// <summary>The split being batched.</summary>
    public LabeledImages Data { get; }
    /// <summary>The options.</summary>
    public DataLoaderOptions Options { get; }
    /// <summary>Batches per epoch (the last may be smaller unless <see cref="DataLoaderOptions.DropLast"/>).</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>Test hook run at the start of every <see cref="GetBatch"/> with (epoch, batch index).</summary>
    internal Action<int, int>? BeforeBatch { get; set; }

    /// <summary>The dataset indices in the order epoch <paramref name="epoch"/> visits them.</summary>
    public int[] Order(int epoch) => (int[])CachedOrder(epoch).Clone();

    /// <summary>The Fisher–Yates permutation of 0..count−1 drawn from Philox(seed, stream(1, epoch)).</summary>
    public static int[] Permutation(int count, ulong seed, int epoch)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        ulong stream = Philox.Stream(OrderStream, (ulong)epoch);
        for (int i = count - 1; i > 0; i--)
        {
            // Step i uses 64-bit word (i mod 2) of block i/2; j = ⌊word·(i+1) / 2^64⌋ is uniform on 0..i (bias < 2^-32).
            var (x0, x1, x2, x3) = Philox.Block(seed, stream, (ulong)i >> 1);
            ulong word = (i & 1) == 0 ? x0 | (ulong)x1 << 32 : x2 | (ulong)x3 << 32;
            int j = (int)Math.BigMul(word, (ulong)(i + 1), out _);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    int[] CachedOrder(int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), $"epoch must be non-negative, got {epoch}");
        lock (orderGate)
        {
            if (cachedOrder is { } c && c.Epoch == epoch) return c.Order;
            int[] order;
            if (Options.Shuffle) order = Permutation(Data.Count, Options.Seed, epoch);
            else
            {
                order = new int[Data.Count];
                for (int i = 0; i < order.Length; i++) order[i] = i;
            }
            cachedOrder = (epoch, order);
            return order;
        }
    }

    /// <summary>Batch <paramref name="batchIndex"/> of epoch <paramref name="epoch"/>, built on the calling thread.</summary>
    public ImageBatch GetBatch(int epoch, int batchIndex)
    {
        if ((uint)batchIndex >= (uint)BatchesPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(batchIndex), $"batch index {batchIndex} outside 0..{BatchesPerEpoch - 1}");
        BeforeBatch?.Invoke(epoch, batchIndex);
        var order = CachedOrder(epoch);
        int start = batchIndex * Options.BatchSize, count = Math.Min(Options.BatchSize, Data.Count - start);
        int imageSize = Data.ImageSize;
        var buffer = Rent(count * imageSize);
        var labels = new int[count];
        var indices = order.AsSpan(start, count).ToArray();
        for (int b = 0; b < count; b++)
        {
            int index = indices[b];
            labels[b] = Data.Labels[index];
            WriteImage(epoch, index, buffer.AsSpan(b * imageSize, imageSize));
        }
        var images = new Tensor(buffer, count, Data.Channels, Data.Height, Data.Width);
        return new ImageBatch(this, images, labels, indices, epoch, batchIndex);
    }

    void WriteImage(int epoch, int index, Span<float> destination)
    {
        var source = Data.Image(index);
        int h = Data.Height, w = Data.Width, plane = h * w;
        var augmentation = Options.Augmentation;
        if (!augmentation.IsActive)
        {
            for (int c = 0; c < Data.Channels; c++)
            {
                var table = lookup[c];
                var src = source.Slice(c * plane, plane);
                var dst = destination.Slice(c * plane, plane);
                for (int p = 0; p < plane; p++) dst[p] = table[src[p]];
            }
            return;
        }
        ulong stream = Philox.Stream(AugmentStream, (ulong)epoch, (ulong)index);
        var (x0, x1, x2, _) = Philox.Block(Options.Seed, stream, 0);
        int pad = augmentation.Padding;
        uint choices = (uint)(2 * pad + 1);
        int oy = (int)(((ulong)x0 * choices) >> 32) - pad, ox = (int)(((ulong)x1 * choices) >> 32) - pad;
        bool flip = augmentation.HorizontalFlip && (x2 & 1) == 1;
        for (int c = 0; c < Data.Channels; c++)
        {
            var table = lookup[c];
            float zero = table[0];
            var src = source.Slice(c * plane, plane);
            for (int y = 0; y < h; y++)
            {
                var row = destination.Slice(c * plane + y * w, w);
                int sy = y + oy;
                if ((uint)sy >= (uint)h) { row.Fill(zero); continue; }
                var srcRow = src.Slice(sy * w, w);
                for (int x = 0; x < w; x++)
                {
                    int sx = (flip ? w - 1 - x : x) + ox;
                    row[x] = (uint)sx < (uint)w ? table[srcRow[sx]] : zero;
                }
            }
        }
        if (augmentation.Cutout > 0) ApplyCutout(augmentation.Cutout, stream, destination);
    }

    /// <summary>Sets the cutout square (<see cref="Augmentation"/>) of one written image to each channel's black value.</summary>
    void ApplyCutout(int size, ulong stream, Span<float> image)
    {
        int h = Data.Height, w = Data.Width, plane = h * w;
        var (c0, c1, _, _) = Philox.Block(Options.Seed, stream, 1);
        int cy = (int)(((ulong)c0 * (uint)h) >> 32), cx = (int)(((ulong)c1 * (uint)w) >> 32);
        int y0 = Math.Max(0, cy - size / 2), y1 = Math.Min(h, cy - size / 2 + size);
        int x0 = Math.Max(0, cx - size / 2), x1 = Math.Min(w, cx - size / 2 + size);
        for (int c = 0; c < Data.Channels; c++)
        {
            float zero = lookup[c][0];
            for (int y = y0; y < y1; y++) image.Slice(c * plane + y * w + x0, x1 - x0).Fill(zero);
        }
    }

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/> from <paramref name="startBatch"/> on (resume by passing the
    /// index of the first batch not yet trained on). With <see cref="DataLoaderOptions.Prefetch"/> &gt; 0 a background
    /// thread prepares up to that many batches ahead; an exception there is rethrown to the consumer at the batch
    /// where it occurred; stopping the enumeration early or cancelling stops the thread.
    /// </summary>
    public IEnumerable<ImageBatch> Epoch(int epoch, int startBatch = 0, CancellationToken cancellationToken = default)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), $"epoch must be non-negative, got {epoch}");
        if (startBatch < 0 || startBatch > BatchesPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(startBatch), $"start batch {startBatch} outside 0..{BatchesPerEpoch}");
        return Options.Prefetch == 0 ? Inline(epoch, startBatch, cancellationToken) : Prefetched(epoch, startBatch, cancellationToken);
    }

    IEnumerable<ImageBatch> Inline(int epoch, int startBatch, CancellationToken cancellationToken)
    {
        for (int b = startBatch; b < BatchesPerEpoch; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return GetBatch(epoch, b);
        }
    }

    IEnumerable<ImageBatch> Prefetched(int epoch, int startBatch, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var queue = new BlockingCollection<ImageBatch>(Options.Prefetch);
        ExceptionDispatchInfo? failure = null;
        var producer = new Thread(() =>
        {
            try
            {
                for (int b = startBatch; b < BatchesPerEpoch && !stop.IsCancellationRequested; b++)
                {
                    var batch = GetBatch(epoch, b);
                    try { queue.Add(batch, stop.Token); }
                    catch (OperationCanceledException) { batch.Dispose(); return; }
                }
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                queue.CompleteAdding();
            }
        })
        { IsBackground = true, Name = "thermo-data-loader" };
        producer.Start();
        try
        {
            foreach (var batch in queue.GetConsumingEnumerable(cancellationToken)) yield return batch;
            failure?.Throw();
        }
        finally
        {
            stop.Cancel();
            producer.Join();
            while (queue.TryTake(out var left)) left.Dispose();
        }
    }

    float[] Rent(int length)
    {
        if (length == Options.BatchSize * Data.ImageSize && free.TryTake(out var buffer)) return buffer;
        return GC.AllocateUninitializedArray<float>(length);
    }

    internal void Recycle(ImageBatch batch)
    {
        var buffer = batch.Images.Data;
        if (buffer.Length == Options.BatchSize * Data.ImageSize && free.Count < maxPooled) free.Add(buffer);
    }
}
