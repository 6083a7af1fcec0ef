using System.Text.Json.Nodes;
using Thermo.IO;
using Thermo.Nn;
using Thermo.Optim;
using Thermo.Tensors;

namespace Thermo.Tests.IO;

public class CheckpointTests : IDisposable
{
    readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    static CheckpointMetadata SampleMetadata() => new()
    {
        ModelDefinition = """{"preset":"tiny-conv","layers":[{"conv":[1,4,3]},{"linear":[64,10]}],"note":"δ=0.5 ✓"}""",
        Training = new TrainingState
        {
            Epoch = 2, BatchInEpoch = 17, Step = 1234, Seed = ulong.MaxValue - 5, ScheduleStep = 1234, LearningRate = 3e-4,
            BestMetricName = "val_accuracy", BestMetric = 0.9871, BestEpoch = 1,
            Extra = new JsonObject { ["dropout_calls"] = 99, ["loss_ema"] = 0.25 },
        },
        Provenance = Provenance.Capture(new Dictionary<string, string> { ["mnist/train-images"] = "sha256:abc" }),
    };

    static void AssertBitEqual(Tensor expected, Tensor actual, string name)
    {
        Assert.True(expected.Shape.AsSpan().SequenceEqual(actual.Shape), $"{name}: shape {actual.ShapeString} != {expected.ShapeString}");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected.Data[i]) == BitConverter.SingleToInt32Bits(actual.Data[i]), $"{name}[{i}]: {actual.Data[i]} != {expected.Data[i]}");
    }

    [Fact]
    public void Restore_reproduces_model_and_optimizer_bit_exactly_and_training_continues_identically()
    {
        var net = TinyNets.ConvNet(1);
        var opt = new AdamW(net.NamedParameters(), 1e-2f, weightDecay: 0.01f);
        TinyNets.Train(net, opt, 3, dataSeed: 10);
        string path = dir.File("ckpt.safetensors");
        Checkpoint.Save(path, net, opt.StateDict(), SampleMetadata());

        var net2 = TinyNets.ConvNet(2);
        var opt2 = new AdamW(net2.NamedParameters(), 1e-2f, weightDecay: 0.01f);
        var meta = Checkpoint.Restore(path, net2, opt2);

        foreach (var ((name, a), (_, b)) in net.StateDict().Zip(net2.StateDict())) AssertBitEqual(a, b, name);
        Assert.Equal(opt.StepCount, opt2.StepCount);
        foreach (var (name, t) in opt.StateDict()) AssertBitEqual(t, opt2.StateDict()[name], name);
        Assert.Equal(1234, meta.Training.Step);

        TinyNets.Train(net, opt, 2, dataSeed: 20);
        TinyNets.Train(net2, opt2, 2, dataSeed: 20);
        foreach (var ((name, a), (_, b)) in net.StateDict().Zip(net2.StateDict())) AssertBitEqual(a, b, name);
    }

    [Fact]
    public void Metadata_round_trips_with_model_definition_verbatim()
    {
        var net = TinyNets.ConvNet(1);
        string path = dir.File("m.safetensors");
        var saved = SampleMetadata();
        Checkpoint.Save(path, net, null, saved);
        var data = Checkpoint.Load(path);
        Assert.Equal(Checkpoint.FormatVersion, data.FormatVersion);
        Assert.Empty(data.Optimizer);
        Assert.Equal(net.StateDict().Select(p => p.Name).Order(), data.Model.Keys.Order());
        var m = data.Metadata;
        Assert.Equal(saved.ModelDefinition, m.ModelDefinition);
        Assert.Equal(saved.Training with { Extra = null }, m.Training with { Extra = null });
        Assert.Equal(99, (int)m.Training.Extra!["dropout_calls"]!);
        Assert.Equal(saved.Provenance.ThermoVersion, m.Provenance.ThermoVersion);
        Assert.Equal(saved.Provenance.Created, m.Provenance.Created);
        Assert.Equal(saved.Provenance.Machine, m.Provenance.Machine);
        Assert.Equal("sha256:abc", m.Provenance.DatasetChecksums["mnist/train-images"]);
        Assert.Equal(m, Checkpoint.ReadMetadata(path) with { Training = m.Training, Provenance = m.Provenance });
    }

    [Fact]
    public void Optimizer_state_is_stored_under_the_optim_prefix()
    {
        var net = TinyNets.ConvNet(1);
        var opt = new AdamW(net.NamedParameters(), 1e-3f);
        TinyNets.Train(net, opt, 1, dataSeed: 3);
        string path = dir.File("o.safetensors");
        Checkpoint.Save(path, net, opt.StateDict(), new CheckpointMetadata());
        using var r = SafetensorsReader.Open(path);
        Assert.True(r.Contains("optim.0.weight.exp_avg"));
        Assert.True(r.Contains("optim.5.bias.exp_avg_sq"));
        Assert.True(r.Contains("optim.step"));
        Assert.True(r.Contains("1.running_var"));
    }

    [Fact]
    public void Mismatched_model_gets_one_error_listing_missing_unexpected_and_mismatched_tensors()
    {
        var net = TinyNets.ConvNet(1);
        string path = dir.File("a.safetensors");
        Checkpoint.Save(path, net, null, new CheckpointMetadata());
        var other = new Sequential(new Conv2d(1, 8, 3, padding: 1), new BatchNorm(8), new Relu(), new AvgPool2d(2), new Flatten(), new Linear(8 * 4 * 4, 10), new Linear(10, 2));
        var before = other.StateDict().Select(p => p.Tensor.Data.ToArray()).ToList();
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Restore(path, other));
        Assert.Contains(path, e.Message);
        Assert.Contains("missing (2): 6.weight [2, 10], 6.bias [2]", e.Message);
        Assert.Contains("0.weight: expected [8, 1, 3, 3], found [4, 1, 3, 3]", e.Message);
        Assert.Contains("1.running_mean: expected [8], found [4]", e.Message);
        Assert.Contains("5.weight: expected [10, 128], found [10, 64]", e.Message);
        // Nothing was changed.
        Assert.All(other.StateDict().Zip(before), p => Assert.Equal(p.Second, p.First.Tensor.Data));

        var smaller = new Sequential(new Conv2d(1, 4, 3, padding: 1), new BatchNorm(4));
        e = Assert.Throws<InvalidDataException>(() => Checkpoint.Restore(path, smaller));
        Assert.Contains("unexpected (2): 5.bias [10], 5.weight [10, 64]", e.Message);
    }

    [Fact]
    public void Restoring_an_optimizer_needs_matching_state()
    {
        var net = TinyNets.ConvNet(1);
        string path = dir.File("w.safetensors");
        Checkpoint.Save(path, net, null, new CheckpointMetadata());
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Restore(path, TinyNets.ConvNet(2), new AdamW(net.NamedParameters())));
        Assert.Contains("no optimiser state", e.Message);

        var sgd = new Sgd(net.NamedParameters(), 0.1f, momentum: 0.9f);
        TinyNets.Train(net, sgd, 1, dataSeed: 1);
        Checkpoint.Save(path, net, sgd.StateDict(), new CheckpointMetadata());
        var net2 = TinyNets.ConvNet(2);
        e = Assert.Throws<InvalidDataException>(() => Checkpoint.Restore(path, net2, new AdamW(net2.NamedParameters())));
        Assert.Contains("optimiser state does not match", e.Message);
        Assert.Contains("exp_avg_sq", e.Message);
    }

    [Fact]
    public void Plain_safetensors_and_newer_versions_are_refused_clearly()
    {
        string plain = dir.File("plain.safetensors");
        Safetensors.Save(plain, [("w", new Tensor([1f], 1))]);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(plain));
        Assert.Contains("not a Thermo checkpoint", e.Message);

        string future = dir.File("future.safetensors");
        Safetensors.Save(future, [("w", new Tensor([1f], 1))], new Dictionary<string, string>
        {
            [Checkpoint.MetadataKey] = """{"format":"thermo.checkpoint","version":7}""",
        });
        e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(future));
        Assert.Contains("format version 7 is newer", e.Message);

        string broken = dir.File("broken.safetensors");
        Safetensors.Save(broken, [("w", new Tensor([1f], 1))], new Dictionary<string, string>
        {
            [Checkpoint.MetadataKey] = """{"format":"thermo.checkpoint","version":1,"training":{"epoch":"three"}}""",
        });
        e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(broken));
        Assert.Contains("metadata document is invalid", e.Message);
    }

    [Fact]
    public void Invalid_model_definition_is_refused_at_save_and_the_old_checkpoint_survives()
    {
        var net = TinyNets.ConvNet(1);
        string path = dir.File("c.safetensors");
        Checkpoint.Save(path, net, null, new CheckpointMetadata { ModelDefinition = "{\"ok\":1}" });
        var bytes = File.ReadAllBytes(path);
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, net, null, new CheckpointMetadata { ModelDefinition = "{not json" }));
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal(["c.safetensors"], dir.Listing());
    }
}
