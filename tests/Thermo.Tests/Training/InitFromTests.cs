using Thermo.IO;
using Thermo.Training;

namespace Thermo.Tests.Training;

/// <summary><see cref="TrainingRunOptions.InitFrom"/>: a new run that starts from another run's weights.</summary>
public sealed class InitFromTests : IDisposable
{
    readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    TrainingRunResult Train(string output, string data, string? initFrom, ulong seed, long steps) => TrainingRun.Execute(new TrainingRunOptions
    {
        Preset = "mnist-digital", Dataset = data, OutputDirectory = output, Seed = seed, BatchSize = 16, LearningRate = 1e-4f,
        MaxStepsThisRun = steps, TrainLimit = 64, TestLimit = 16, ValidateEachEpoch = false, InitFrom = initFrom,
    });

    [Fact]
    public void A_run_started_from_a_checkpoint_begins_at_its_weights_not_at_a_fresh_initialisation()
    {
        string data = SyntheticDigits.Write(dir.File("data"), train: 64, test: 16);
        string start = dir.File("start"), tuned = dir.File("tuned"), fresh = dir.File("fresh");
        Train(start, data, null, seed: 3, steps: 4);
        // Same seed as the fine-tune, so the two differ only in where they start.
        Train(fresh, data, null, seed: 8, steps: 1);
        var result = Train(tuned, data, start, seed: 8, steps: 1);
        Assert.Equal(1, result.State.Step);

        var a = Checkpoint.Load(Path.Combine(start, TrainingRun.CheckpointName)).Model;
        var b = Checkpoint.Load(Path.Combine(tuned, TrainingRun.CheckpointName)).Model;
        var c = Checkpoint.Load(Path.Combine(fresh, TrainingRun.CheckpointName)).Model;
        double moved = 0, apart = 0;
        // Batch-norm running statistics follow the batch, not the learning rate: compare the parameters.
        foreach (var (name, t) in a.Where(kv => !kv.Key.Contains("running", StringComparison.Ordinal)))
            for (int i = 0; i < t.Data.Length; i++)
            {
                moved = Math.Max(moved, Math.Abs(b[name].Data[i] - t.Data[i]));
                apart = Math.Max(apart, Math.Abs(c[name].Data[i] - t.Data[i]));
            }
        // One AdamW step at a warm-up learning rate below 1e-4 moves no weight by more than a few times that.
        Assert.True(moved < 1e-3, $"the fine-tuned weights moved {moved} from the start");
        Assert.True(apart > 1e-2, $"a fresh initialisation lies only {apart} from the start, so the test cannot tell them apart");
        var settings = Checkpoint.ReadMetadata(Path.Combine(tuned, TrainingRun.CheckpointName)).Training.Extra!["run_settings"]!;
        Assert.Equal(Provenance.FileSha256(Path.Combine(start, TrainingRun.CheckpointName)), settings["--init-from"]!.GetValue<string>());
    }
}
