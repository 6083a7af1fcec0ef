using Thermo.Devices;
using Thermo.IO;
using Thermo.Training;

namespace Thermo.Tests.Training;

/// <summary><see cref="TrainOptions.EmaDecay"/>: training that keeps an exponential moving average of its weights.</summary>
public sealed class EmaTests : IDisposable
{
    readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    TrainingRunResult Train(string output, string data, float? ema, bool resume = false) => TrainingRun.Execute(new TrainingRunOptions
    {
        Preset = "mnist-digital", Dataset = data, OutputDirectory = output, Seed = 5, BatchSize = 16, Epochs = 2,
        TrainLimit = 64, TestLimit = 16, EmaDecay = ema, Resume = resume,
    });

    [Fact]
    public void The_average_leaves_the_steps_unchanged_and_becomes_the_finished_model()
    {
        string data = SyntheticDigits.Write(dir.File("data"), train: 64, test: 16);
        string plainRun = dir.File("plain"), averagedRun = dir.File("averaged");
        Train(plainRun, data, null);
        Train(averagedRun, data, 0.9f);
        var plain = Checkpoint.Load(Path.Combine(plainRun, TrainingRun.CheckpointName));
        var averaged = Checkpoint.Load(Path.Combine(averagedRun, TrainingRun.CheckpointName));

        // The optimiser took the same steps: its moments are bit-identical with and without the average.
        foreach (var (name, t) in plain.Optimizer)
            Assert.True(t.Data.AsSpan().SequenceEqual(averaged.Optimizer[name].Data), $"optimiser state {name} differs");
        // The finished model is the average, which is not where the steps ended.
        double apart = 0;
        foreach (var key in averaged.Optimizer.Keys.Where(k => k.EndsWith(".ema", StringComparison.Ordinal)))
        {
            string name = key[..^".ema".Length];
            Assert.True(averaged.Model[name].Data.AsSpan().SequenceEqual(averaged.Optimizer[key].Data), $"{name} is not its average");
            for (int i = 0; i < plain.Model[name].Data.Length; i++)
                apart = Math.Max(apart, Math.Abs(plain.Model[name].Data[i] - averaged.Model[name].Data[i]));
        }
        Assert.True(apart > 1e-4, $"the average lies only {apart} from the last step's weights");
        Assert.DoesNotContain(plain.Optimizer.Keys, k => k.EndsWith(".ema", StringComparison.Ordinal));
        Assert.Equal(0.9f, averaged.Metadata.Training.Extra!["run_settings"]!["--ema"]!.GetValue<float>());
    }

    [Fact]
    public void Batch_norm_running_statistics_are_averaged_with_the_weights()
    {
        string data = SyntheticDigits.Write(dir.File("data"), train: 64, test: 16);
        string plainRun = dir.File("plain"), averagedRun = dir.File("averaged");
        TrainingRunOptions Options(string output, float? ema) => new()
        {
            Preset = "quickstart", Dataset = data, OutputDirectory = output, Seed = 5, BatchSize = 16, Epochs = 1, TrainLimit = 64, TestLimit = 16, EmaDecay = ema,
        };
        TrainingRun.Execute(Options(plainRun, null));
        TrainingRun.Execute(Options(averagedRun, 0.9f));
        var plain = Checkpoint.Load(Path.Combine(plainRun, TrainingRun.CheckpointName));
        var averaged = Checkpoint.Load(Path.Combine(averagedRun, TrainingRun.CheckpointName));
        var statistics = averaged.Model.Keys.Where(k => k.EndsWith(".running_mean", StringComparison.Ordinal) || k.EndsWith(".running_var", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(statistics);
        foreach (var name in statistics)
        {
            Assert.True(averaged.Optimizer.ContainsKey(name + ".ema"), $"{name} has no average");
            Assert.True(averaged.Model[name].Data.AsSpan().SequenceEqual(averaged.Optimizer[name + ".ema"].Data), $"{name} is not its average");
            Assert.False(plain.Model[name].Data.AsSpan().SequenceEqual(averaged.Model[name].Data), $"{name} is the last step's statistic, not an average");
        }
        // Buffers that are not statistics (coupling masks) are neither averaged nor changed.
        foreach (var name in averaged.Model.Keys.Where(k => k.EndsWith(".mask", StringComparison.Ordinal)))
        {
            Assert.False(averaged.Optimizer.ContainsKey(name + ".ema"));
            Assert.True(plain.Model[name].Data.AsSpan().SequenceEqual(averaged.Model[name].Data));
        }
    }

    [Fact]
    public void The_average_of_a_statistic_follows_the_same_recurrence_as_a_parameter()
    {
        var w = new Thermo.Tensors.Tensor([1f], 1) { RequiresGrad = true };
        var stat = new Thermo.Tensors.Tensor([0f], 1);
        var opt = new Thermo.Optim.Sgd([("w", w)], 0.1f, 0f, nesterov: false, 0f);
        opt.KeepEma(0.5f, [("s", stat)]);
        float expected = 0f;
        for (int t = 1; t <= 30; t++)
        {
            stat.Data[0] = t;
            opt.Step();
            float d = MathF.Min(0.5f, (1f + t) / (10f + t));
            expected = d * expected + (1f - d) * t;
        }
        Assert.Equal(expected, opt.StateDict()["s.ema"].Data[0]);
        opt.ApplyEma();
        Assert.Equal(expected, stat.Data[0]);
    }

    [Fact]
    public void Resuming_with_another_decay_or_on_a_device_is_refused()
    {
        string data = SyntheticDigits.Write(dir.File("data"), train: 64, test: 16);
        string run = dir.File("run");
        TrainingRun.Execute(new TrainingRunOptions
        {
            Preset = "mnist-digital", Dataset = data, OutputDirectory = run, Seed = 5, BatchSize = 16, Epochs = 2,
            TrainLimit = 64, TestLimit = 16, EmaDecay = 0.9f, MaxStepsThisRun = 2,
        });
        var refused = Assert.Throws<InvalidDataException>(() => Train(run, data, null, resume: true));
        Assert.Contains("--ema was 0.9, now not set", refused.Message);
        var device = Assert.Throws<ArgumentException>(() => TrainingRun.Execute(new TrainingRunOptions
        {
            Preset = "quickstart", Dataset = data, OutputDirectory = dir.File("device"), EmaDecay = 0.99f, Device = DeviceKind.IlgpuCpu,
        }));
        Assert.Contains("--ema", device.Message);
        Assert.Throws<ArgumentException>(() => Train(dir.File("bad"), data, 1f));
    }

    [Fact]
    public void Testing_every_other_epoch_measures_only_those_and_the_last_and_changes_no_weights()
    {
        string data = SyntheticDigits.Write(dir.File("data"), train: 64, test: 16);
        List<int> Run(string output, int? every)
        {
            var tested = new List<int>();
            TrainingRun.Execute(new TrainingRunOptions
            {
                Preset = "mnist-digital", Dataset = data, OutputDirectory = output, Seed = 5, BatchSize = 16, Epochs = 3,
                TrainLimit = 64, TestLimit = 16, EmaDecay = 0.9f, TestEvery = every,
            }, p => { if (p.ValidationAccuracy is not null) tested.Add(p.Epoch + 1); });
            return tested;
        }
        Assert.Equal([1, 2, 3], Run(dir.File("every"), null));
        Assert.Equal([2, 3], Run(dir.File("second"), 2));
        Assert.Equal([3], Run(dir.File("last"), 5));

        // The average is swapped in only around a test; the weights, averages and moments end bit-identical.
        var every = Checkpoint.Load(Path.Combine(dir.File("every"), TrainingRun.CheckpointName));
        foreach (var run in new[] { "second", "last" })
        {
            var other = Checkpoint.Load(Path.Combine(dir.File(run), TrainingRun.CheckpointName));
            foreach (var (name, t) in every.Model) Assert.True(t.Data.AsSpan().SequenceEqual(other.Model[name].Data), $"{run}: {name} differs");
            foreach (var (name, t) in every.Optimizer) Assert.True(t.Data.AsSpan().SequenceEqual(other.Optimizer[name].Data), $"{run}: optimiser state {name} differs");
        }
    }
}
