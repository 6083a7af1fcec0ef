using CsCheck;
using Thermo.Data;
using Thermo.Tensors;
using Thermo.Training;

namespace Thermo.Tests.Data;

public class DataLoaderTests
{
    static LabeledImages Toy(int count = 37, int channels = 3, int height = 5, int width = 6, int seed = 1) =>
        new("toy", "train", channels, height, width, TestFiles.Bytes(count * channels * height * width, seed),
            Enumerable.Range(0, count).Select(i => i % 4).ToArray(), ["a", "b", "c", "d"], []);

    static List<(float[] Images, int[] Labels, int[] Indices)> Collect(DataLoader loader, int epoch, int start = 0) =>
        loader.Epoch(epoch, start).Select(b => { using (b) return (b.Images.Data.ToArray(), b.Labels, b.Indices); }).ToList();

    [Fact]
    public void Every_example_appears_once_per_epoch_with_its_label()
    {
        var data = Toy();
        var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 8, Seed = 3 });
        Assert.Equal(5, loader.BatchesPerEpoch);
        var batches = Collect(loader, 0);
        Assert.Equal(Enumerable.Range(0, 37), batches.SelectMany(b => b.Indices).Order());
        Assert.Equal([8, 8, 8, 8, 5], batches.Select(b => b.Labels.Length));
        foreach (var b in batches)
            for (int k = 0; k < b.Labels.Length; k++) Assert.Equal(data.Labels[b.Indices[k]], b.Labels[k]);
        Assert.NotEqual(Enumerable.Range(0, 37), batches.SelectMany(b => b.Indices));
    }

    [Fact]
    public void Drop_last_omits_the_short_batch()
    {
        var loader = new DataLoader(Toy(), new DataLoaderOptions { BatchSize = 8, DropLast = true });
        Assert.Equal(4, loader.BatchesPerEpoch);
        Assert.Equal(4, Collect(loader, 0).Count);
    }

    [Fact]
    public void Same_seed_gives_the_same_batches_for_any_prefetch_depth()
    {
        var data = Toy();
        List<(float[], int[], int[])>? reference = null;
        foreach (int prefetch in new[] { 0, 1, 3, 8 })
        {
            var options = new DataLoaderOptions { BatchSize = 5, Seed = 11, Prefetch = prefetch, Augmentation = new Augmentation(2, true), Normalization = Normalization.Cifar10 };
            var batches = Collect(new DataLoader(data, options), 2);
            if (reference is null) { reference = batches.Select(b => (b.Images, b.Labels, b.Indices)).ToList(); continue; }
            Assert.Equal(reference.Count, batches.Count);
            for (int i = 0; i < batches.Count; i++)
            {
                Assert.Equal(reference[i].Item1, batches[i].Images);
                Assert.Equal(reference[i].Item2, batches[i].Labels);
                Assert.Equal(reference[i].Item3, batches[i].Indices);
            }
        }
    }

    [Fact]
    public void Resuming_mid_epoch_reproduces_the_uninterrupted_batches()
    {
        var options = new DataLoaderOptions { BatchSize = 6, Seed = 5, Augmentation = new Augmentation(1, true) };
        var whole = Collect(new DataLoader(Toy(), options), 4);
        // A fresh loader (as after a restart) asked for epoch 4 from batch 3.
        var resumed = Collect(new DataLoader(Toy(), options), 4, start: 3);
        Assert.Equal(whole.Count - 3, resumed.Count);
        for (int i = 0; i < resumed.Count; i++)
        {
            Assert.Equal(whole[i + 3].Images, resumed[i].Images);
            Assert.Equal(whole[i + 3].Indices, resumed[i].Indices);
        }
    }

    [Fact]
    public void Epochs_and_seeds_change_the_order_and_no_shuffle_keeps_dataset_order()
    {
        var data = Toy(100);
        var loader = new DataLoader(data, new DataLoaderOptions { Seed = 1 });
        Assert.NotEqual(loader.Order(0), loader.Order(1));
        Assert.NotEqual(loader.Order(0), new DataLoader(data, new DataLoaderOptions { Seed = 2 }).Order(0));
        Assert.Equal(loader.Order(3), new DataLoader(data, new DataLoaderOptions { Seed = 1 }).Order(3));
        Assert.Equal(Enumerable.Range(0, 100), new DataLoader(data, new DataLoaderOptions { Shuffle = false }).Order(7));
    }

    [Fact]
    public void Permutation_is_a_bijection_with_uniform_first_position()
    {
        Gen.Select(Gen.Int[0, 300], Gen.ULong, Gen.Int[0, 1000]).Sample((n, seed, epoch) =>
        {
            var p = DataLoader.Permutation(n, seed, epoch);
            Assert.Equal(Enumerable.Range(0, n), p.Order());
        }, iter: 200);
        // Where element 0 lands over 4000 epochs: each of 8 slots has p = 1/8, sd = sqrt(4000·p·(1−p)) ≈ 20.9; allow 5 sd.
        var counts = new int[8];
        for (int e = 0; e < 4000; e++) counts[Array.IndexOf(DataLoader.Permutation(8, 42, e), 0)]++;
        Assert.All(counts, c => Assert.InRange(c, 500 - 105, 500 + 105));
    }

    [Fact]
    public void Normalisation_and_binarisation_follow_the_formula()
    {
        var data = new LabeledImages("t", "train", 2, 1, 3, [0, 128, 255, 10, 200, 64], [0], ["x"], []);
        var norm = new Normalization([0.5f, 0.25f], [0.5f, 2f]);
        using var batch = new DataLoader(data, new DataLoaderOptions { Shuffle = false, Normalization = norm }).GetBatch(0, 0);
        float[] expected = [(0 / 255f - 0.5f) / 0.5f, (128 / 255f - 0.5f) / 0.5f, (255 / 255f - 0.5f) / 0.5f, (10 / 255f - 0.25f) / 2f, (200 / 255f - 0.25f) / 2f, (64 / 255f - 0.25f) / 2f];
        Assert.Equal(expected, batch.Images.Data);
        Assert.Equal([1, 2, 1, 3], batch.Images.Shape);
        using var binary = new DataLoader(data, new DataLoaderOptions { Shuffle = false, BinarizeThreshold = 0.5f, Normalization = new Normalization([0.5f], [0.5f]) }).GetBatch(0, 0);
        Assert.Equal([-1f, 1f, 1f, -1f, 1f, -1f], binary.Images.Data);
    }

    [Fact]
    public void Augmented_images_are_shifted_flipped_copies_with_zero_padding()
    {
        const int pad = 2;
        var data = Toy(400, channels: 2, height: 5, width: 6, seed: 9);
        var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 50, Seed = 8, Augmentation = new Augmentation(pad, true) });
        var offsets = new int[2 * pad + 1];
        int flips = 0;
        foreach (var batch in loader.Epoch(0))
        {
            using (batch)
            {
                for (int k = 0; k < batch.Count; k++)
                {
                    var output = batch.Images.Data.AsSpan(k * data.ImageSize, data.ImageSize).ToArray();
                    var matches = new List<(int, int, bool)>();
                    for (int oy = -pad; oy <= pad; oy++)
                        for (int ox = -pad; ox <= pad; ox++)
                            foreach (var flip in new[] { false, true })
                                if (Reference(data, batch.Indices[k], oy, ox, flip).AsSpan().SequenceEqual(output)) matches.Add((oy, ox, flip));
                    var (y, x, f) = Assert.Single(matches);
                    offsets[x + pad]++;
                    if (f) flips++;
                }
            }
        }
        // 400 draws: flip rate sd = sqrt(0.25/400) = 0.025 (allow 4 sd); each of 5 offsets p = 0.2, sd ≈ 8 (allow 4 sd).
        Assert.InRange(flips / 400.0, 0.4, 0.6);
        Assert.All(offsets, c => Assert.InRange(c, 80 - 32, 80 + 32));
    }

    // out[c, y, x] = in[c, y + oy, x' + ox] with x' = W−1−x when flipped, zero (pixel 0 → 0/255) outside.
    static float[] Reference(LabeledImages data, int index, int oy, int ox, bool flip)
    {
        var image = data.Image(index);
        var result = new float[data.ImageSize];
        for (int c = 0; c < data.Channels; c++)
            for (int y = 0; y < data.Height; y++)
                for (int x = 0; x < data.Width; x++)
                {
                    int sy = y + oy, sx = (flip ? data.Width - 1 - x : x) + ox;
                    byte v = sy >= 0 && sy < data.Height && sx >= 0 && sx < data.Width ? image[(c * data.Height + sy) * data.Width + sx] : (byte)0;
                    result[(c * data.Height + y) * data.Width + x] = v / 255f;
                }
        return result;
    }

    [Fact]
    public void Augmentation_of_an_example_does_not_depend_on_batch_size()
    {
        var data = Toy(20);
        float[] Example(int batchSize, int index)
        {
            var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = batchSize, Seed = 4, Shuffle = false, Augmentation = new Augmentation(2, true, 3) });
            using var batch = loader.GetBatch(1, index / batchSize);
            return batch.Images.Data.AsSpan((index % batchSize) * data.ImageSize, data.ImageSize).ToArray();
        }
        for (int i = 0; i < 20; i++) Assert.Equal(Example(3, i), Example(7, i));
    }

    [Fact]
    public void Cutout_blacks_out_one_square_clipped_at_the_border_in_every_channel_and_nothing_else()
    {
        // Pixels 1..255 (never black), so the black ones are exactly the cutout.
        const int size = 3, h = 5, w = 6, count = 600;
        var pixels = TestFiles.Bytes(count * 2 * h * w, 12).Select(b => (byte)Math.Max((int)b, 1)).ToArray();
        var data = new LabeledImages("toy", "train", 2, h, w, pixels, new int[count], ["a"], []);
        var plain = new DataLoader(data, new DataLoaderOptions { BatchSize = 100, Shuffle = false });
        var cut = new DataLoader(data, new DataLoaderOptions { BatchSize = 100, Shuffle = false, Seed = 6, Augmentation = new Augmentation(0, false, size) });
        var centres = new HashSet<(int, int)>();
        for (int b = 0; b < plain.BatchesPerEpoch; b++)
        {
            using var p = plain.GetBatch(0, b);
            using var c = cut.GetBatch(0, b);
            for (int k = 0; k < p.Count; k++)
            {
                var black = new List<(int Y, int X)>();
                for (int ch = 0; ch < 2; ch++)
                {
                    var cells = new List<(int, int)>();
                    for (int y = 0; y < h; y++)
                        for (int x = 0; x < w; x++)
                        {
                            int i = ((k * 2 + ch) * h + y) * w + x;
                            if (c.Images.Data[i] == 0f) cells.Add((y, x));
                            else Assert.Equal(p.Images.Data[i], c.Images.Data[i]);
                        }
                    if (ch == 0) black = cells;
                    else Assert.Equal(black, cells);
                }
                // The black cells form the square around some centre (cy, cx), clipped at the border.
                var match = Enumerable.Range(0, h).SelectMany(cy => Enumerable.Range(0, w).Select(cx => (cy, cx))).Where(centre =>
                {
                    var square = new List<(int, int)>();
                    for (int y = centre.cy - size / 2; y < centre.cy - size / 2 + size; y++)
                        for (int x = centre.cx - size / 2; x < centre.cx - size / 2 + size; x++)
                            if (y >= 0 && y < h && x >= 0 && x < w) square.Add((y, x));
                    return square.SequenceEqual(black);
                }).ToList();
                Assert.Single(match);
                centres.Add(match[0]);
            }
        }
        // 600 draws over 30 centres: every centre, including the corners whose squares are clipped to 2×2, appears.
        Assert.Equal(h * w, centres.Count);
    }

    [Fact]
    public void A_failure_while_preparing_is_rethrown_to_the_consumer_at_that_batch()
    {
        var loader = new DataLoader(Toy(), new DataLoaderOptions { BatchSize = 4, Prefetch = 2 });
        loader.BeforeBatch = (_, b) => { if (b == 3) throw new InvalidDataException("disk went away"); };
        var seen = new List<int>();
        var e = Assert.Throws<InvalidDataException>(() => { foreach (var batch in loader.Epoch(0)) using (batch) seen.Add(batch.Index); });
        Assert.Equal("disk went away", e.Message);
        Assert.Equal([0, 1, 2], seen);
    }

    [Fact]
    public void Stopping_early_or_cancelling_stops_the_background_thread()
    {
        var loader = new DataLoader(Toy(400), new DataLoaderOptions { BatchSize = 4, Prefetch = 2 });
        int prepared = 0;
        loader.BeforeBatch = (_, _) => Interlocked.Increment(ref prepared);
        foreach (var batch in loader.Epoch(0)) { batch.Dispose(); if (batch.Index == 2) break; }
        int afterBreak = Volatile.Read(ref prepared);
        Thread.Sleep(50);
        Assert.Equal(afterBreak, Volatile.Read(ref prepared));
        Assert.InRange(afterBreak, 3, 3 + 2 + 1);

        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var batch in loader.Epoch(1, 0, cancel.Token)) { batch.Dispose(); if (batch.Index == 1) cancel.Cancel(); }
        });
    }

    [Fact]
    public void Batches_are_owned_by_the_consumer_not_by_its_tensor_scope()
    {
        var loader = new DataLoader(Toy(), new DataLoaderOptions { BatchSize = 8, Prefetch = 0, Shuffle = false });
        ImageBatch batch;
        float[] copy;
        using (new TensorScope())
        {
            batch = loader.GetBatch(0, 0);
            copy = batch.Images.Data.ToArray();
        }
        // The scope has ended; a pooled rent of the same size must not hand out the batch's storage.
        var rented = TensorPool.Rent(batch.Images.Length);
        Assert.NotSame(rented, batch.Images.Data);
        TensorPool.Return(rented);
        Assert.Equal(copy, batch.Images.Data);
    }

    [Fact]
    public void Disposed_batches_are_recycled_with_correct_contents()
    {
        var data = Toy();
        var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 8, Prefetch = 0, Shuffle = false });
        var first = loader.GetBatch(0, 0);
        var storage = first.Images.Data;
        first.Dispose();
        using var second = loader.GetBatch(0, 1);
        Assert.Same(storage, second.Images.Data);
        Assert.Equal(data.Pixels.AsSpan(8 * data.ImageSize, 8 * data.ImageSize).ToArray().Select(v => v / 255f), second.Images.Data);
    }

    [Fact]
    public void Bad_options_are_rejected()
    {
        var data = Toy();
        Assert.Throws<ArgumentException>(() => new DataLoader(data, new DataLoaderOptions { BatchSize = 0 }));
        Assert.Throws<ArgumentException>(() => new DataLoader(data, new DataLoaderOptions { Normalization = new Normalization([0f, 0f], [1f, 1f]) }));
        Assert.Throws<ArgumentException>(() => new DataLoader(data, new DataLoaderOptions { Normalization = new Normalization([0f], [0f]) }));
        Assert.Throws<ArgumentException>(() => new DataLoader(data, new DataLoaderOptions { Augmentation = new Augmentation(9) }));
        Assert.Throws<ArgumentException>(() => new DataLoader(data, new DataLoaderOptions { Augmentation = new Augmentation(0, false, -1) }));
        Assert.Throws<ArgumentException>(() => new DataLoader(data, new DataLoaderOptions { Augmentation = new Augmentation(0, false, 7) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(data).Epoch(0, 99));
    }

    [Fact]
    public void As_a_trainer_batch_source_it_yields_the_loader_batches_and_recycles_storage()
    {
        var data = Toy(400);
        var options = new DataLoaderOptions { BatchSize = 8, Seed = 2, Prefetch = 2, Augmentation = new Augmentation(1, true) };
        var expected = Collect(new DataLoader(data, options), 1, start: 1);
        var source = new LoaderBatchSource(new DataLoader(data, options));
        Assert.Equal((50, 400), (source.BatchesPerEpoch, source.Count));
        var storages = new HashSet<float[]>(ReferenceEqualityComparer.Instance);
        int i = 0;
        foreach (var batch in source.Batches(1, startBatch: 1))
        {
            Assert.Equal(expected[i].Images, batch.Images.Data);
            Assert.Equal(expected[i].Labels, batch.Labels);
            storages.Add(batch.Images.Data);
            i++;
        }
        Assert.Equal(49, i);
        // At most one batch with the trainer, two queued and one being built are alive at once.
        Assert.InRange(storages.Count, 1, options.Prefetch + 4);
    }
}
