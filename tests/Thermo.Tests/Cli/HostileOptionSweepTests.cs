using System.CommandLine;
using Thermo.Cli;
using Thermo.IO;
using Thermo.Langevin;
using Thermo.Randomness;
using Thermo.Tests.Data;
using Thermo.Training;

namespace Thermo.Tests.Cli;

/// <summary>
/// Issue 12, item 5: every command, every numeric option, driven with 0, −1, 2³¹−1, NaN and ±∞ (floats) on tiny
/// synthetic inputs, in process. No value may end in a stack trace, an escaped exception or an internal error; a value
/// the option does not accept exits 1 or 2 with an `error:` line naming the option; each run ends within seconds.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class HostileOptionSweepTests : IDisposable
{
    readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    static readonly string[] IntegerValues = ["0", "-1", "2147483647", "NaN"];
    static readonly string[] FloatValues = ["0", "-1", "2147483647", "NaN", "Infinity", "-Infinity"];
    static readonly TimeSpan PerRunLimit = TimeSpan.FromSeconds(20);

    /// <summary>A swept option: its hostile values and those of them that it accepts (the run may then succeed).</summary>
    sealed record Swept(string Name, string[] Values, string[] Accepted);

    static Swept Int(string name, params string[] accepted) => new(name, IntegerValues, accepted);
    static Swept Float(string name, params string[] accepted) => new(name, FloatValues, accepted);
    // Comma-separated lists of numbers (--samples 32,64, --grid, --times): the same hostile values as one-element lists.
    static Swept List(string name, bool floats = false, params string[] accepted) => new(name, floats ? FloatValues : IntegerValues, accepted);

    /// <summary>The fixtures: a tiny IDX dataset, a digital and an ising-blocks checkpoint, a Langevin model and a dimod problem.</summary>
    (string Set, string Digital, string Blocks, string Langevin, string Problem) Fixtures()
    {
        string set = dir.File("set");
        Directory.CreateDirectory(set);
        foreach (var (prefix, n, stream) in new[] { ("train", 24, 1UL), ("t10k", 12, 2UL) })
        {
            var pixels = new byte[n * 36];
            var labels = new byte[n];
            for (int i = 0; i < n; i++)
            {
                labels[i] = (byte)(i % 3);
                for (int p = 0; p < 36; p++) pixels[i * 36 + p] = (byte)(Philox.Uniform(4, stream, (ulong)(i * 36 + p)) * 255);
            }
            File.WriteAllBytes(Path.Combine(set, $"{prefix}-images-idx3-ubyte"), TestFiles.Idx(0x08, [n, 6, 6], pixels));
            File.WriteAllBytes(Path.Combine(set, $"{prefix}-labels-idx1-ubyte"), TestFiles.Idx(0x08, [n], labels));
        }
        string digital = Save("digital", """
            {"name": "digital", "input": [1, 6, 6], "classes": 10, "layers": [
              {"type": "flatten"}, {"type": "linear", "out": 4}, {"type": "tanh"}, {"type": "linear", "out": 10}]}
            """);
        string blocks = Save("blocks", """
            {"name": "blocks", "family": "ising-blocks", "input": [1, 6, 6], "classes": 10, "binarize": 0.5, "delta": 0.5, "population": 1,
             "blocks": [{"hidden": {"type": "linear", "out": 6}, "output": {"type": "linear", "out": 6}},
                        {"hidden": {"type": "linear", "out": 6}, "output": {"type": "linear"}}]}
            """);
        var computer = new LangevinComputer(36, 2, 10, latticeWidth: 6) { Normalization = InputNormalization.Mnist(5f) };
        for (int i = 0; i < computer.InputCoupling.Length; i++) computer.InputCoupling[i] = 0.1f * (Philox.Uniform(5, 1, (ulong)i) - 0.5f);
        string langevin = dir.File("langevin/model.json");
        LangevinModelFile.Save(langevin, computer, LangevinSchedule.Published);
        string problem = dir.File("p.json");
        File.WriteAllText(problem, """{"beta": 0.7, "h": [0.2, -0.3, 0.1], "J": [[0, 1, 0.8], [1, 2, -0.6]]}""");
        return (set, digital, blocks, langevin, problem);

        string Save(string name, string definition)
        {
            var spec = ModelSpec.Parse(definition);
            var net = spec.Build();
            net.Initialize(7);
            string path = dir.File($"{name}.safetensors");
            Checkpoint.Save(path, net, null, new CheckpointMetadata { ModelDefinition = spec.ToJson(), Training = new TrainingState() });
            return path;
        }
    }

    /// <summary>Each leaf command: the arguments of a small valid run ("OUT" becomes a fresh path) and its numeric options.</summary>
    Dictionary<string, (string[] Args, Swept[] Options)> Table()
    {
        var (set, digital, blocks, langevin, problem) = Fixtures();
        string cache = dir.File("cache");
        string[] data = ["--dataset", set, "--data-dir", cache];
        string[] blockData = ["--model", blocks, .. data];
        Swept[] none = [];
        return new()
        {
            ["quickstart"] = (["--out", "OUT", "--dataset", dir.File("no-such-set"), "--data-dir", cache], [Int("--eval-examples", "2147483647"), Int("--train-limit", "2147483647")]),
            ["data fetch"] = (["mnist", "--from", dir.File("nowhere"), "--data-dir", cache], none),
            ["data info"] = ([set], none),
            ["data list"] = (["--data-dir", cache], none),
            ["train"] = (["--model", dir.File("missing.json"), .. data, "--out", "OUT"],
                [Int("--epochs"), Int("--batch-size"), Float("--lr", "2147483647"), Float("--weight-decay", "0"), Float("--ema", "0"), Int("--seed", "0", "2147483647"), Int("--checkpoint-every", "2147483647"),
                 Int("--max-steps", "2147483647"), Int("--train-limit", "2147483647"), Int("--test-limit", "2147483647"), Int("--test-every", "2147483647"), Int("--pad-crop", "0"), Int("--cutout", "0")]),
            ["eval"] = ([.. blockData, "--mode", "gibbs", "--samples", "2", "--burn-in", "1", "--limit", "3"],
                [List("--samples"), Int("--burn-in", "0"), Int("--chains"), Int("--seed", "0", "2147483647"), Int("--limit", "2147483647")]),
            ["quantize"] = (["--model", blocks, "--out", "OUT"],
                [Int("--bits"), Float("--sparsity", "0"), Int("--finetune-epochs", "0"), Float("--lr", "2147483647"), Int("--seed", "0", "2147483647")]),
            ["merge"] = ([dir.File("missing-shard.json")], none),
            ["export onnx"] = (["--model", digital, "--out", "OUT"], [Int("--batch")]),
            ["ising sample"] = ([problem, "--samples", "5", "--burn-in", "2", "--chains", "2"],
                [Int("--samples"), Int("--burn-in", "0"), Int("--sweeps-per-sample"), Int("--seed", "0", "2147483647"), Int("--chains"), Int("--first-input", "0", "2147483647")]),
            ["ising info"] = ([problem], none),
            ["ising compile"] = (["--model", digital, "--out", "OUT"], [Float("--beta"), Float("--delta")]),
            ["schedule"] = ([.. blockData, "--target-accuracy", "0.05", "--examples", "4", "--grid", "1,3", "--draws", "2", "--pilot-samples", "4", "--burn-in", "1"],
                [Int("--examples", "2147483647"), Int("--start", "0"), Int("--burn-in", "0"), Int("--pilot-samples"), Int("--draws"), Int("--seed", "0", "2147483647"),
                 Float("--target-accuracy"), Float("--budget", "2147483647"), List("--grid")]),
            ["schedule curve"] = ([.. blockData, "--uniform", "1,2", "--examples", "4", "--replicates", "1", "--draws", "2", "--pilot-samples", "4", "--burn-in", "1", "--predict-only"],
                [Int("--examples", "2147483647"), Int("--start", "0"), List("--uniform"), Int("--replicates"), Int("--burn-in", "0"), Int("--pilot-samples"),
                 Int("--draws"), Int("--seed", "0", "2147483647")]),
            ["schedule autocorr"] = ([.. blockData, "--examples", "2", "--chains", "2", "--sweeps", "16", "--reference", "2", "--betas", "", "--check-chains", "0", "--burn-in", "1"],
                [Int("--examples", "2147483647"), Int("--start", "0"), Int("--chains"), Int("--sweeps"), Int("--reference"), List("--betas", floats: true),
                 List("--deltas", floats: true), Int("--check-chains", "0"), Int("--burn-in", "0"), Int("--seed", "0", "2147483647")]),
            ["schedule compare"] = ([.. blockData, "--examples", "4", "--uniform", "1,3", "--grid", "1,3", "--epsilons", "0.3", "--draws", "2", "--pilot-samples", "4", "--burn-in", "1"],
                [Int("--examples", "2147483647"), Int("--start", "0"), Float("--target-accuracy"), Float("--below", "0"), List("--uniform"), List("--grid"),
                 List("--epsilons", floats: true), Int("--burn-in", "0"), Int("--pilot-samples"), Int("--draws"), Int("--seed", "0", "2147483647")]),
            ["schedule ledger"] = (["--model", blocks, "--samples", "3", "--burn-in", "1"], [List("--samples"), Int("--burn-in", "0")]),
            ["langevin train"] = (["--data", set, "--data-dir", cache, "--hidden", "2", "--teacher-epochs", "1", "--eval-inputs", "0", "--fit-inputs", "8", "--out", "OUT"],
                [Int("--hidden"), Float("--kt", "0"), Float("--j2", "0", "-1"), Float("--j4", "0"), Float("--dt"), Float("--tf"), Int("--teacher-epochs"), Float("--teacher-noise", "0"),
                 Float("--readout-scale"), Float("--tau"), Float("--hidden-scale"), Float("--output-scale"), Float("--ridge", "0"), Int("--fit-inputs", "0", "2147483647"),
                 Int("--finetune-epochs", "0"), Float("--finetune-lr"), Int("--finetune-batch"), Float("--finetune-readout-scale"), Float("--finetune-heat-penalty", "0"),
                 Int("--seed", "0", "2147483647"), Int("--eval-inputs", "0", "2147483647")]),
            ["langevin eval"] = (["--model", langevin, "--data", set, "--data-dir", cache, "--limit", "4", "--times", "0.1"],
                [Int("--inputs"), Int("--hidden", "0"), Int("--outputs"), Float("--kt", "0"), Int("--limit", "0", "2147483647"), Int("--trajectories"),
                 Int("--seed", "0", "2147483647"), List("--times", floats: true), Float("--energy-per-mac"), Float("--temperature"), Float("--dt")]),
            ["langevin export"] = (["--model", langevin, "--out", "OUT"], [Int("--inputs"), Int("--hidden", "0"), Int("--outputs")]),
            ["report"] = ([dir.File("no-run")], none),
            // --threads stands before `--`, so the sweep replaces it there; options after `--` belong to the sharded command.
            ["slurm submit"] = (["--run", "OUT", "--dry-run", "--shards", "2", "--cpus-per-task", "1", "--threads", "1", "--", "eval", "--model", blocks, "--dataset", set],
                [Int("--shards"), Int("--cpus-per-task")]),
            ["slurm status"] = ([dir.File("no-run")], none),
            ["slurm resume"] = ([dir.File("no-run")], none),
        };
    }

    static bool IsNumeric(Option option)
    {
        var t = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        return t == typeof(int) || t == typeof(long) || t == typeof(ulong) || t == typeof(float) || t == typeof(double);
    }

    /// <summary>Leaf commands of `thermo` by path ("schedule curve"), with their options (the root's --threads included).</summary>
    static IEnumerable<(string Path, Command Command)> Leaves(Command command, string path)
    {
        if (command.Subcommands.Count == 0) yield return (path, command);
        foreach (var sub in command.Subcommands)
            foreach (var leaf in Leaves(sub, path.Length == 0 ? sub.Name : $"{path} {sub.Name}")) yield return leaf;
    }

    [Fact]
    public void The_sweep_covers_every_numeric_option_of_every_command()
    {
        var table = Table();
        var missing = new List<string>();
        foreach (var (path, command) in Leaves(CliApplication.Root(), ""))
        {
            if (path.StartsWith("bench ", StringComparison.Ordinal)) continue;   // benchmarks have --threads only, swept below
            if (!table.TryGetValue(path, out var entry)) { missing.Add($"{path}: no entry"); continue; }
            foreach (var option in command.Options.Where(IsNumeric))
                if (!entry.Options.Any(s => s.Name == option.Name)) missing.Add($"{path} {option.Name}");
        }
        Assert.Empty(missing);
    }

    /// <summary>Replaces the value of <paramref name="option"/> in <paramref name="args"/> (or appends it) and gives every OUT its own path.</summary>
    string[] With(string[] args, string option, string value)
    {
        var list = args.Select(a => a == "OUT" ? dir.File($"out-{Guid.NewGuid():N}") : a).ToList();
        int at = list.IndexOf(option);
        if (at >= 0) list[at + 1] = value;
        else list.AddRange([option, value]);
        return [.. list];
    }

    [Fact]
    public void Hostile_numbers_end_in_one_clear_line_never_a_stack_trace()
    {
        var failures = new List<string>();
        var table = Table();
        foreach (var (path, (args, options)) in table)
        {
            string[] command = path.Split(' ');
            foreach (var swept in options.Append(Int("--threads")))
                foreach (var value in swept.Values)
                {
                    string[] full = [.. command, .. With(args, swept.Name, value), .. swept.Name == "--threads" ? Array.Empty<string>() : ["--threads", "1"]];
                    var r = InProcessCli.Run(PerRunLimit, full);
                    string all = r.Out + r.Err, line = $"thermo {string.Join(' ', full)} → exit {r.Exit}, {r.Took.TotalSeconds:F1} s";
                    if (r.Escaped is TimeoutException)
                    {
                        // The run goes on in the background and would slow every later one: stop here.
                        failures.Add($"{line}: {r.Escaped.Message}");
                        Assert.Fail($"{failures.Count} failure(s), the sweep stopped at a run that did not end:\n" + string.Join("\n", failures));
                    }
                    if (r.Escaped is not null) failures.Add($"{line}: escaped {r.Escaped.GetType().Name}: {r.Escaped.Message}");
                    else if (all.Contains("   at ", StringComparison.Ordinal) || all.Contains("Unhandled exception", StringComparison.Ordinal))
                        failures.Add($"{line}: stack trace\n{r.Err}");
                    else if (r.Err.Contains(CliAction.InternalError, StringComparison.Ordinal) || all.Contains("System.", StringComparison.Ordinal) || UserText.Internals(r.Err) is not null)
                        failures.Add($"{line}: {r.Err.Trim()}");
                    else if (r.Took > PerRunLimit) failures.Add($"{line}: too slow");
                    else if (!swept.Accepted.Contains(value))
                    {
                        if (r.Exit is not (1 or 2)) failures.Add($"{line}: accepted; stdout {r.Out.Trim()}");
                        else if (!r.Err.StartsWith("error: ", StringComparison.Ordinal) || !r.Err.Contains(swept.Name, StringComparison.Ordinal))
                            failures.Add($"{line}: the error does not name {swept.Name}: {r.Err.Trim()}");
                    }
                    else if (r.Exit is not (0 or 1 or 2)) failures.Add($"{line}: unexpected exit code");
                }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} failure(s):\n" + string.Join("\n", failures));
    }
}
