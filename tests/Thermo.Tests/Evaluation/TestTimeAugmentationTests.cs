using Thermo.Autograd;
using Thermo.Blocks;
using Thermo.Data;
using Thermo.Evaluation;
using Thermo.Randomness;
using Thermo.Tensors;
using Thermo.Training;

namespace Thermo.Tests.Evaluation;

/// <summary>Test-time views (<see cref="TestTimeView"/>) and their summed scores in <see cref="Evaluator"/>.</summary>
public sealed class TestTimeAugmentationTests
{
    const string Spec = """
        {"name": "tta-probe", "family": "ising-blocks", "input": [1, 6, 6], "classes": 3, "binarize": 0.5, "delta": 0.5, "population": 2,
         "blocks": [{"hidden": {"type": "conv2d", "out": 4, "kernel": 3, "padding": 1}, "output": {"type": "conv2d", "out": 4, "kernel": 2, "stride": 2}},
                    {"hidden": {"type": "linear", "out": 10}, "output": {"type": "linear"}}]}
        """;

    static IsingBlockNet Net()
    {
        var net = (IsingBlockNet)ModelSpec.Parse(Spec).Build();
        net.Initialize(3);
        net.Eval();
        return net;
    }

    static LabeledImages Images(int count, int channels = 1, int height = 6, int width = 6)
    {
        var pixels = new byte[count * channels * height * width];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(Philox.Uniform(7, 0, (ulong)i) * 256);
        var labels = new int[count];
        for (int i = 0; i < count; i++) labels[i] = i % 3;
        return new LabeledImages("probe", "test", channels, height, width, pixels, labels, ["a", "b", "c"], []);
    }

    static byte[] View(string name, byte[] pixels, int height, int width) =>
        TestTimeView.Parse(name)[0].Apply(new LabeledImages("p", "test", 1, height, width, pixels, [0], ["a"], [])).Pixels;

    [Fact]
    public void Views_mirror_and_move_the_picture_with_black_filling_in()
    {
        byte[] image = [1, 2, 3,
                        4, 5, 6];
        Assert.Equal([3, 2, 1, 6, 5, 4], View("flip", image, 2, 3));
        Assert.Equal([0, 1, 2, 0, 4, 5], View("right", image, 2, 3));
        Assert.Equal([2, 3, 0, 5, 6, 0], View("left", image, 2, 3));
        Assert.Equal([0, 0, 0, 1, 2, 3], View("down", image, 2, 3));
        Assert.Equal([4, 5, 6, 0, 0, 0], View("up", image, 2, 3));
        Assert.Equal(image, View("id", image, 2, 3));
    }

    [Fact]
    public void Every_channel_of_every_image_is_moved_the_same_way()
    {
        var data = Images(3, channels: 2, height: 4, width: 5);
        var moved = TestTimeView.Parse("right")[0].Apply(data);
        for (int n = 0; n < 3; n++)
            for (int c = 0; c < 2; c++)
                for (int y = 0; y < 4; y++)
                    for (int x = 0; x < 5; x++)
                    {
                        int at = ((n * 2 + c) * 4 + y) * 5;
                        Assert.Equal(x == 0 ? 0 : data.Pixels[at + x - 1], moved.Pixels[at + x]);
                    }
        Assert.Equal(data.Labels, moved.Labels);
    }

    [Theory]
    [InlineData("id,flop", "unknown view 'flop'; the views are id, flip, left, right, up, down")]
    [InlineData("", "unknown view ''; the views are id, flip")]
    public void Parse_refuses_unknown_views_naming_the_known_ones(string text, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => TestTimeView.Parse(text));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void A_repeated_view_is_another_inference_and_the_count_is_bounded()
    {
        Assert.Equal(["id", "id", "flip"], TestTimeView.Parse("id,id,flip").Select(v => v.Name));
        string tooMany = string.Join(",", Enumerable.Repeat("id", TestTimeView.MaxViews + 1));
        Assert.Contains($"at most {TestTimeView.MaxViews}", Assert.Throws<ArgumentException>(() => TestTimeView.Parse(tooMany)).Message);
    }

    [Fact]
    public void Mean_field_scores_of_the_views_are_summed_before_the_arg_max()
    {
        var net = Net();
        var data = Images(30);
        var views = TestTimeView.Parse("id,flip,down");
        var result = Evaluator.Run(net, data, Normalization.UnitRange, EvalMode.MeanField, batchSize: 7, views: views);

        var sum = new float[30 * 3];
        foreach (var view in views)
        {
            using var scope = new TensorScope();
            using var noGrad = GradMode.NoGrad();
            var seen = view.Apply(data);
            var x = new float[seen.Pixels.Length];
            for (int i = 0; i < x.Length; i++) x[i] = seen.Pixels[i] / 255f;
            var y = net.Forward(new Tensor(x, 30, 1, 6, 6));
            for (int i = 0; i < sum.Length; i++) sum[i] += y.Data[i];
        }
        var expected = Enumerable.Range(0, 30).Select(n => ArgMax(sum.AsSpan(n * 3, 3))).ToArray();
        Assert.Equal(expected, result.Predictions);
        var single = Evaluator.Run(net, data, Normalization.UnitRange, EvalMode.MeanField, batchSize: 7);
        Assert.NotEqual(single.Predictions, result.Predictions); // the views change something, so the check above can fail
    }

    [Fact]
    public void Gibbs_views_run_their_own_chains_and_add_their_cost()
    {
        var net = Net();
        var data = Images(20);
        var settings = new GibbsSettings(BlockSchedule.Uniform(2, 6, burnIn: 1), Chains: 1, Seed: 4);
        var pipeline = new BlockPipeline(net);
        var views = TestTimeView.Parse("id,flip,id");
        var result = Evaluator.RunGibbs(pipeline, data, Normalization.UnitRange, settings, start: 5, count: 15, batchSize: 4, views: views);

        // By hand: every view on the whole range in one batch, view v with its own seed, keyed by the same example indices.
        var sum = new float[15 * 3];
        var perView = new float[views.Count][];
        long[] updates = new long[2];
        for (int v = 0; v < views.Count; v++)
        {
            var seen = views[v].Apply(data.Slice(5, 15));
            var x = new float[seen.Pixels.Length];
            for (int i = 0; i < x.Length; i++) x[i] = seen.Pixels[i] / 255f;
            var r = pipeline.Evaluate(new Tensor(x, 15, 1, 6, 6), settings.Schedule, 1, Evaluator.ViewSeed(settings.Seed, v), firstIndex: 5);
            perView[v] = r.Scores;
            for (int i = 0; i < sum.Length; i++) sum[i] += r.Scores[i];
            for (int b = 0; b < 2; b++) updates[b] += r.SpinUpdates[b];
        }
        Assert.Equal(Enumerable.Range(0, 15).Select(n => ArgMax(sum.AsSpan(n * 3, 3))).ToArray(), result.Predictions);
        Assert.Equal(updates, result.SpinUpdates);
        // "id" twice: the third view samples the same images as the first with its own seed, so its readout differs.
        Assert.NotEqual(perView[0], perView[2]);

        var single = Evaluator.RunGibbs(pipeline, data, Normalization.UnitRange, settings, start: 5, count: 15, batchSize: 4);
        Assert.Equal(single.SpinUpdates.Select(u => 3 * u), result.SpinUpdates);
        Assert.Equal(settings.Seed, Evaluator.ViewSeed(settings.Seed, 0));
        Assert.NotEqual(Evaluator.ViewSeed(settings.Seed, 1), Evaluator.ViewSeed(settings.Seed, 2));
        Assert.NotEqual(settings.Seed, Evaluator.ViewSeed(settings.Seed, 1));
    }

    static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int c = 1; c < row.Length; c++) if (row[c] > row[best]) best = c;
        return best;
    }
}
