using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Thermo.Tests.Data;
using Thermo.Tests.Training;
using Thermo.Training;

namespace Thermo.Tests.Cli.Commands;

/// <summary>
/// `thermo train` refusals, run through the built CLI: each exits non-zero with one `error: …` line on stderr
/// (no stack trace) and starts no training, so the run directory is not created or not changed.
/// </summary>
public sealed class TrainRefusalTests : IDisposable
{
    readonly TempDirectory dir = new();
    readonly string data;

    public TrainRefusalTests() => data = SyntheticDigits.Write(dir.File("data"), train: 64, test: 16);

    public void Dispose() => dir.Dispose();

    (int Exit, string Out, string Err) Thermo(params string[] args) =>
        CliRunner.Run(new Dictionary<string, string> { ["THERMO_DATA_DIR"] = dir.File("cache") }, TimeSpan.FromSeconds(60), args);

    (int Exit, string Out, string Err) Train(string output, params string[] extra) =>
        Thermo(["train", "--dataset", data, "--out", output, "--quiet", "--max-steps", "1", "--batch-size", "16", "--train-limit", "64", "--test-limit", "16", .. extra]);

    /// <summary>The whole of stderr is one `error: …` line holding every fragment; nothing on stdout.</summary>
    internal static string AssertOneErrorLine((int Exit, string Out, string Err) r, int exit, params string[] fragments)
    {
        Assert.True(r.Exit == exit, $"exit {r.Exit}, expected {exit}; stderr: {r.Err}");
        Assert.Equal("", r.Out);
        var line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("error: ", line);
        Assert.DoesNotContain("Exception", line);
        Assert.DoesNotContain("   at ", r.Err);
        foreach (var f in fragments) Assert.Contains(f, line);
        return line;
    }

    [Fact]
    public void Resume_without_a_checkpoint_names_the_path_and_creates_nothing()
    {
        string run = dir.File("empty-run");
        var r = Train(run, "--preset", "mnist-digital", "--resume");
        AssertOneErrorLine(r, 2, $"--resume: no checkpoint at '{Path.Combine(run, TrainingRun.CheckpointName)}'");
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void Existing_checkpoint_is_kept_without_resume_and_a_resume_with_another_seed_is_refused()
    {
        string run = dir.File("run");
        TrainingRun.Execute(new TrainingRunOptions
        {
            Preset = "mnist-digital", Dataset = data, OutputDirectory = run, Seed = 5, BatchSize = 16,
            MaxStepsThisRun = 1, TrainLimit = 64, TestLimit = 16, ValidateEachEpoch = false,
        });
        string checkpoint = Path.Combine(run, TrainingRun.CheckpointName);
        var before = Snapshot(run);
        Assert.Contains(TrainingRun.CheckpointName, before.Keys);

        var again = Train(run, "--preset", "mnist-digital", "--seed", "5");
        AssertOneErrorLine(again, 1, $"'{checkpoint}' exists: pass --resume to continue that run, or choose another --out");
        Assert.Equal(before, Snapshot(run));

        var otherSeed = Train(run, "--preset", "mnist-digital", "--seed", "6", "--resume");
        AssertOneErrorLine(otherSeed, 2, $"checkpoint '{checkpoint}' was trained with seed 5, this run uses 6: resume with the same seed");
        Assert.Equal(before, Snapshot(run));
    }

    [Theory]
    [InlineData("""{"name": "five", "input": [1, 28, 28], "classes": 5, "layers": [{"type": "flatten"}, {"type": "linear", "out": 5}]}""",
        "has 10 classes, model 'five' expects 5")]
    [InlineData("""{"name": "small", "input": [1, 20, 20], "classes": 10, "layers": [{"type": "flatten"}, {"type": "linear", "out": 10}]}""",
        "has images 1x28x28, model 'small' expects 1x20x20")]
    public void Dataset_that_does_not_fit_the_model_is_refused(string definition, string message)
    {
        string model = dir.File("model.json");
        File.WriteAllText(model, definition);
        string run = dir.File("mismatch");
        var r = Train(run, "--model", model);
        AssertOneErrorLine(r, 2, $"dataset '{data}' {message}");
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void Negative_pad_crop_is_refused()
    {
        string run = dir.File("pad");
        var r = Train(run, "--preset", "mnist-digital", "--pad-crop", "-1");
        AssertOneErrorLine(r, 2, "--pad-crop", "got -1");
        Assert.False(Directory.Exists(run));
    }

    [Theory]
    [InlineData("--max-steps", "0")]
    [InlineData("--max-steps", "-3")]
    [InlineData("--checkpoint-every", "0")]
    [InlineData("--checkpoint-every", "-1")]
    [InlineData("--threads", "0")]
    [InlineData("--threads", "-2")]
    [InlineData("--threads", "100000")]
    public void A_count_that_would_be_ignored_or_is_absurd_is_refused_by_name(string option, string value)
    {
        string run = dir.File("counts");
        var r = Thermo("train", "--preset", "mnist-digital", "--dataset", data, "--out", run, "--quiet", option, value);
        AssertOneErrorLine(r, 2, $"{option} must be", $"got {value}");
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void Resume_with_any_setting_that_changes_the_run_is_refused_by_name_and_the_same_settings_resume()
    {
        string run = dir.File("resume");
        string other = SyntheticDigits.Write(dir.File("other-data"), train: 64, test: 16, seed: 9);
        TrainingRun.Execute(new TrainingRunOptions
        {
            Preset = "mnist-digital", Dataset = data, OutputDirectory = run, Seed = 5, BatchSize = 16,
            MaxStepsThisRun = 1, TrainLimit = 64, TestLimit = 16, ValidateEachEpoch = false,
        });
        var before = Snapshot(run);
        string checkpoint = Path.Combine(run, TrainingRun.CheckpointName);
        (int, string, string) Resume(params string[] changes)
        {
            var settings = new Dictionary<string, string>
            {
                ["--preset"] = "mnist-digital", ["--dataset"] = data, ["--seed"] = "5", ["--batch-size"] = "16", ["--train-limit"] = "64", ["--test-limit"] = "16",
            };
            for (int i = 0; i < changes.Length; i += 2) settings[changes[i]] = changes[i + 1];
            return Thermo(["train", "--out", run, "--quiet", "--resume", "--max-steps", "1", .. settings.SelectMany(kv => new[] { kv.Key, kv.Value })]);
        }

        var refusals = new (string[] Change, string Named)[]
        {
            (["--lr", "0.01"], "--lr was "),
            (["--batch-size", "8"], "--batch-size was 16, now 8"),
            (["--epochs", "7"], "--epochs was "),
            (["--train-limit", "32"], "training examples (--train-limit) was 64, now 32"),
            (["--pad-crop", "2"], "--pad-crop was 0, now 2"),
            (["--cutout", "3"], "--cutout was not set, now 3"),
            (["--weight-decay", "0.01"], "weight decay was "),
            (["--init-from", run], "--init-from was not set, now \"sha256:"),
            (["--dataset", other], "the data differ"),
            (["--preset", "quickstart"], "the model definition differs"),
        };
        foreach (var (change, named) in refusals)
        {
            var line = AssertOneErrorLine(Resume(change), 2, $"checkpoint '{checkpoint}' was trained with other settings", named);
            Assert.Equal(before, Snapshot(run));
            Assert.DoesNotContain("; ;", line);
        }

        // --test-limit and --test-every only change what is reported, not the weights: allowed.
        var same = Resume("--test-limit", "8");
        Assert.True(same.Item1 == 0, same.Item3);
        var sparser = Resume("--test-every", "3");
        Assert.True(sparser.Item1 == 0, sparser.Item3);
    }

    [Fact]
    public void Init_from_a_missing_checkpoint_or_one_of_another_model_is_refused_and_creates_nothing()
    {
        string run = dir.File("fine-tune");
        var missing = Train(run, "--preset", "mnist-digital", "--init-from", dir.File("nowhere"));
        AssertOneErrorLine(missing, 2, $"--init-from: no checkpoint at '{dir.File("nowhere")}'");
        Assert.False(Directory.Exists(run));

        string model = dir.File("linear.json"), other = dir.File("linear-run");
        File.WriteAllText(model, """{"name": "linear", "input": [1, 28, 28], "classes": 10, "layers": [{"type": "flatten"}, {"type": "linear", "out": 10}]}""");
        TrainingRun.Execute(new TrainingRunOptions
        {
            ModelPath = model, Dataset = data, OutputDirectory = other, BatchSize = 16, MaxStepsThisRun = 1, TrainLimit = 64, TestLimit = 16, ValidateEachEpoch = false,
        });
        var mismatch = Train(run, "--preset", "mnist-digital", "--init-from", other);
        // The difference is listed tensor by tensor, one line per kind, under the error line.
        Assert.True(mismatch.Exit == 2, mismatch.Err);
        Assert.StartsWith($"error: checkpoint '{Path.Combine(other, TrainingRun.CheckpointName)}' does not match the model", mismatch.Err);
        Assert.Contains("missing (14): 0.weight [32, 1, 3, 3]", mismatch.Err);
        Assert.DoesNotContain("   at ", mismatch.Err);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public async Task Training_report_wall_time_covers_the_whole_command()
    {
        string run = dir.File("timed");
        using var process = CliRunner.Start(new Dictionary<string, string> { ["THERMO_DATA_DIR"] = dir.File("cache") },
            "train", "--dataset", data, "--out", run, "--quiet", "--max-steps", "1", "--batch-size", "16", "--train-limit", "64", "--test-limit", "16", "--preset", "mnist-digital");
        var started = process.StartTime;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, await stderr);
        double wall = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "report.json")))!["wall_time_seconds"]!.GetValue<double>();
        // The checkpoint is written before the report is even built, so the whole-command time must reach past it;
        // a clock started with the report saw only the rendering.
        double beforeReport = (File.GetLastWriteTime(Path.Combine(run, TrainingRun.CheckpointName)) - started).TotalSeconds;
        Assert.True(wall >= beforeReport - 0.05, $"report wall time {wall:F2} s, but the checkpoint was written {beforeReport:F2} s after the process started");
    }

    /// <summary>Relative path → SHA-256 of every file under <paramref name="root"/>.</summary>
    static SortedDictionary<string, string> Snapshot(string root) =>
        new(Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);
}
