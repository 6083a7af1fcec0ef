using System.Security.Cryptography;
using Thermo.Tests.Cli.Commands;
using Thermo.IO;
using Thermo.Nn;
using Thermo.Randomness;
using Thermo.Tests.Data;
using Thermo.Training;

namespace Thermo.Tests.Cli;

/// <summary>
/// The output rule of every command (docs/reliability.md, "Command output"), run through the built CLI: an existing
/// output is refused without --force; a failed run leaves the previous result byte-identical and nothing else behind.
/// </summary>
public sealed class OutputRuleTests : IDisposable
{
    readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    (int Exit, string Out, string Err) Thermo(params string[] args) =>
        CliRunner.Run(new Dictionary<string, string> { ["THERMO_DATA_DIR"] = dir.File("cache") }, TimeSpan.FromMinutes(3), args);

    /// <summary>Relative path → SHA-256 of every file under <paramref name="root"/>.</summary>
    static SortedDictionary<string, string> Snapshot(string root) =>
        new(Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);

    /// <summary>Hidden staging or set-aside entries (.thermo-tmp-*, .thermo-old-*, .thermo-commit-*) left in <paramref name="folder"/>.</summary>
    static string[] Leftovers(string folder) =>
        Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Where(n => n!.StartsWith(".thermo-", StringComparison.Ordinal)).ToArray()!;

    public static TheoryData<string, string[]> DirectoryCommands => new()
    {
        { "train", ["train", "--preset", "mnist-digital", "--out", "OUT"] },
        { "quickstart", ["quickstart", "--out", "OUT"] },
        { "langevin train", ["langevin", "train", "--out", "OUT"] },
        { "quantize", ["quantize", "--model", "missing.safetensors", "--out", "OUT"] },
        { "schedule ledger", ["schedule", "ledger", "--model", "missing.safetensors", "--out", "OUT"] },
        { "langevin eval", ["langevin", "eval", "--model", "missing.json", "--report", "OUT"] },
        { "report", ["report", "missing-run", "--out", "OUT"] },
    };

    [Theory]
    [MemberData(nameof(DirectoryCommands))]
    public void A_non_empty_output_directory_is_refused_without_force_and_left_unchanged(string command, string[] args)
    {
        string output = dir.File("existing");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "notes.txt"), $"an earlier result, kept by {command}");
        var before = Snapshot(output);

        var r = Thermo(args.Select(a => a == "OUT" ? output : a).ToArray());

        var line = TrainRefusalTests.AssertOneErrorLine(r, 1, $"'{output}'", "--force");
        Assert.Contains("not empty", line);
        Assert.Equal(before, Snapshot(output));
        Assert.Empty(Leftovers(dir.Path));
    }

    public static TheoryData<string, string[]> FileCommands => new()
    {
        { "ising sample", ["ising", "sample", "p.json", "--out", "OUT"] },
        { "ising compile", ["ising", "compile", "--model", "missing.safetensors", "--out", "OUT"] },
        { "eval", ["eval", "--model", "missing.safetensors", "--out", "OUT"] },
        { "merge", ["merge", "a.json", "--out", "OUT"] },
        { "export onnx", ["export", "onnx", "--model", "missing.safetensors", "--out", "OUT"] },
        { "langevin export", ["langevin", "export", "--model", "missing.json", "--out", "OUT"] },
    };

    [Theory]
    [MemberData(nameof(FileCommands))]
    public void An_existing_output_file_is_refused_without_force_and_left_unchanged(string command, string[] args)
    {
        string output = dir.File("existing.json");
        File.WriteAllText(output, $"an earlier result, kept by {command}");

        var r = Thermo(args.Select(a => a == "OUT" ? output : a).ToArray());

        TrainRefusalTests.AssertOneErrorLine(r, 1, $"'{output}' exists: pass --force to replace it");
        Assert.Equal($"an earlier result, kept by {command}", File.ReadAllText(output));
        Assert.Empty(Leftovers(dir.Path));
    }

    [Fact]
    public void Quickstart_retrain_with_a_bad_dataset_keeps_the_finished_run()
    {
        string run = dir.File("quickstart");
        Directory.CreateDirectory(run);
        File.WriteAllBytes(Path.Combine(run, TrainingRun.CheckpointName), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        File.WriteAllText(Path.Combine(run, "report.json"), "{}");
        var before = Snapshot(run);

        var r = Thermo("quickstart", "--retrain", "--dataset", dir.File("no-such-dataset"), "--out", run);

        Assert.NotEqual(0, r.Exit);
        Assert.Equal(before, Snapshot(run));
        Assert.Empty(Leftovers(dir.Path));
    }

    [Theory]
    [InlineData("train", "--preset", "mnist-digital", "--dataset")]
    [InlineData("quickstart", "--dataset")]
    [InlineData("langevin", "train", "--data")]
    public void A_run_that_fails_leaves_no_directory_behind_not_even_the_parents_it_created(params string[] command)
    {
        string output = dir.File("new/nested/run");
        var r = Thermo([.. command, dir.File("no-such-dataset"), "--out", output]);
        Assert.NotEqual(0, r.Exit);
        Assert.False(Directory.Exists(dir.File("new")), r.Err);
        Assert.Empty(Leftovers(dir.Path));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public void Quickstart_refuses_an_empty_evaluation_before_creating_anything(string count)
    {
        string run = dir.File("quickstart");
        var r = Thermo("quickstart", "--eval-examples", count, "--out", run);
        TrainRefusalTests.AssertOneErrorLine(r, 2, $"--eval-examples must be at least 1, got {count}");
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void Ising_compile_with_force_replaces_a_deeper_program_set_as_a_whole()
    {
        const string tanh = """
            {"name": "tiny", "input": [1, 6, 6], "classes": 3, "layers": [
              {"type": "flatten"}, {"type": "linear", "out": 4}, {"type": "tanh"}, {"type": "linear", "out": 3}]}
            """;
        var spec = ModelSpec.Parse(tanh);
        var net = spec.Build();
        net.Initialize(3);
        string checkpoint = dir.File("tiny.safetensors");
        Checkpoint.Save(checkpoint, net, null, new CheckpointMetadata { ModelDefinition = spec.ToJson(), Training = new TrainingState() });
        string programs = dir.File("programs");
        Directory.CreateDirectory(programs);
        // What an earlier, three-block model left under the same name.
        foreach (var name in new[] { "net.block0", "net.block1", "net.block2" })
        {
            File.WriteAllText(Path.Combine(programs, name + ".json"), "{}");
            File.WriteAllBytes(Path.Combine(programs, name + ".safetensors"), [0]);
        }

        var refused = Thermo("ising", "compile", "--model", checkpoint, "--out", Path.Combine(programs, "net.json"));
        TrainRefusalTests.AssertOneErrorLine(refused, 1, "exists: pass --force to replace it (and 5 more file(s) of the same result)");
        Assert.Equal(6, Directory.GetFiles(programs).Length);

        var r = Thermo("ising", "compile", "--model", checkpoint, "--out", Path.Combine(programs, "net.json"), "--force");
        Assert.True(r.Exit == 0, r.Err);
        Assert.Equal(["net.json", "net.safetensors"], Directory.GetFileSystemEntries(programs).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(0, Thermo("ising", "info", Path.Combine(programs, "net.json")).Exit);
    }

    /// <summary>6×6 IDX images of three classes (a bright row, column or diagonal with noise), in <paramref name="folder"/>.</summary>
    static void WriteTinyImages(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var (prefix, n, stream) in new[] { ("train", 90, 1UL), ("t10k", 30, 2UL) })
        {
            var (pixels, labels) = LangevinCommandTests.Images(n, stream);
            File.WriteAllBytes(Path.Combine(folder, $"{prefix}-images-idx3-ubyte"), TestFiles.Idx(0x08, [n, 6, 6], pixels));
            File.WriteAllBytes(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte"), TestFiles.Idx(0x08, [n], labels));
        }
    }

    [Fact]
    public void Langevin_train_that_fails_late_keeps_the_previous_model()
    {
        string data = dir.File("set");
        WriteTinyImages(data);
        string run = dir.File("run");
        string[] common = ["langevin", "train", "--data", data, "--hidden", "4", "--teacher-epochs", "2", "--eval-inputs", "0", "--out", run, "--threads", "2"];
        var first = Thermo(common);
        Assert.True(first.Exit == 0, first.Err);
        var before = Snapshot(run);
        Assert.Contains("model.json", before.Keys);

        // A failure after training, just before the new model would replace the old one (a full disk, a kill).
        var late = CliRunner.Run(new Dictionary<string, string> { ["THERMO_FAULT"] = "before-commit" }, TimeSpan.FromMinutes(5), [.. common, "--force"]);

        Assert.NotEqual(0, late.Exit);
        Assert.Contains("teacher epoch 2/2", late.Err);
        Assert.Equal(before, Snapshot(run));
        Assert.Empty(Leftovers(dir.Path));
    }
}
