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
}
