using System.CommandLine;
using Thermo.Cli;
using Thermo.Cli.Commands;
using Thermo.Sampling;
using Thermo.Tests.Data;
using Thermo.Training;
using Thermo.Evaluation;

namespace Thermo.Tests.Cli.Commands;

/// <summary>
/// `thermo merge` refusals, run through the built CLI: shards given twice, or cut from splits into different
/// numbers of shards, exit 2 with one `error: …` line and write no --out file.
/// </summary>
public sealed class MergeRefusalTests : IDisposable
{
    readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    const string Problem = """{"beta": 0.7, "h": [0.2, -0.3, 0.1, 0.4], "J": [[0, 1, 0.8], [1, 2, -0.6], [2, 3, 0.5]]}""";

    /// <summary>Writes shard <paramref name="shard"/> of a small `thermo ising sample` run (in process, for speed).</summary>
    string IsingShard(string shard)
    {
        string problem = dir.File("p.json");
        if (!File.Exists(problem)) File.WriteAllText(problem, Problem);
        string output = dir.File($"ising-{shard.Replace("/", "of")}.json");
        var root = new RootCommand();
        root.Options.Add(CommonOptions.Threads);
        root.Subcommands.Add(IsingCommand.Create());
        int exit = root.Parse(["ising", "sample", problem, "--samples", "10", "--chains", "6", "--seed", "3", "--threads", "1", "--shard", shard, "--out", output])
            .Invoke(new InvocationConfiguration { Output = TextWriter.Null, Error = TextWriter.Null });
        Assert.Equal(0, exit);
        return output;
    }

    /// <summary>Writes the `thermo eval --out` document of shard <paramref name="shard"/> of a 20-example forward evaluation.</summary>
    string EvalShard(string shard)
    {
        const int examples = 20;
        var s = Shard.Parse(shard);
        var (start, end) = s.Range(examples);
        int[] labels = Enumerable.Range(start, end - start).Select(i => i % 10).ToArray();
        var result = new EvalResult(end - start, end - start, end - start, [], labels, 0.1);
        string output = dir.File($"eval-{shard.Replace("/", "of")}.json");
        File.WriteAllText(output, EvalShards.ToJson(result, "m", "d", "test", EvalMode.Forward, null, s, start, labels).ToJsonString());
        return output;
    }

    (int Exit, string Out, string Err) Merge(params string[] shards) =>
        CliRunner.Run(null, TimeSpan.FromSeconds(60), ["merge", .. shards, "--out", dir.File("merged.json")]);

    void AssertRefused((int Exit, string Out, string Err) r, params string[] fragments)
    {
        TrainRefusalTests.AssertOneErrorLine(r, 2, fragments);
        Assert.False(File.Exists(dir.File("merged.json")));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.thermo-tmp-*"));
    }

    [Fact]
    public void Ising_sample_shards_given_twice_or_from_different_splits_are_refused()
    {
        string a = IsingShard("0/2"), b = IsingShard("1/2"), third = IsingShard("1/3");
        string copy = dir.File("copy-of-a.json");
        File.Copy(a, copy);

        AssertRefused(Merge(a, b, copy), $"'{copy}': shard 0/2 was already given ('{a}')");
        AssertRefused(Merge(a, third), $"'{third}': shard 1/3 is from a split into 3, '{a}' from a split into 2");
        AssertRefused(Merge(a), "split into 2, but only 1 shard file(s) were given");
        // A tampered shard count is refused before anything of that size is allocated.
        string huge = dir.File("huge.json");
        File.WriteAllText(huge, File.ReadAllText(a).Replace("\"0/2\"", "\"0/2000000000\""));
        Assert.NotEqual(File.ReadAllText(a), File.ReadAllText(huge));
        AssertRefused(Merge(huge, b), "split into 2000000000, but only 2 shard file(s) were given");
    }

    [Fact]
    public void Eval_shards_given_twice_missing_or_from_different_splits_are_refused()
    {
        string a = EvalShard("0/2"), b = EvalShard("1/2"), quarter2 = EvalShard("2/4"), quarter3 = EvalShard("3/4");
        string copy = dir.File("copy-of-a.json");
        File.Copy(a, copy);

        AssertRefused(Merge(a, b, copy), $"{copy}: shard 0/2 was already given ({a})");
        // 0/2 + 2/4 + 3/4 cover every example, but mixing splits is refused as for `ising sample`; 0/2 + 2/4 alone would
        // silently cover only three quarters.
        AssertRefused(Merge(a, quarter2, quarter3), $"{quarter2}: shard 2/4 is from a split into 4, {a} from a split into 2");
        AssertRefused(Merge(a), "shard 1/2 is missing");
        AssertRefused(Merge(b), "shard 0/2 is missing");

        var ok = Merge(a, b);
        Assert.True(ok.Exit == 0, ok.Err);
        Assert.Contains("\"count\":20", File.ReadAllText(dir.File("merged.json")));
    }

    [Fact]
    public void Eval_shards_of_two_checkpoints_sharing_a_model_name_are_refused()
    {
        // Issue 12, item 8: both checkpoints call their model "twin"; before, their shards merged into one result.
        string data = Training.SyntheticDigits.Write(dir.File("digits"), train: 8, test: 12);
        const string definition = """
            {"name": "twin", "input": [1, 28, 28], "classes": 10, "layers": [{"type": "flatten"}, {"type": "linear", "out": 10}]}
            """;
        string Checkpoint(string name, ulong seed)
        {
            var spec = ModelSpec.Parse(definition);
            var net = spec.Build();
            net.Initialize(seed);
            string path = dir.File(name);
            Thermo.IO.Checkpoint.Save(path, net, null, new Thermo.IO.CheckpointMetadata { ModelDefinition = spec.ToJson(), Training = new Thermo.IO.TrainingState() });
            return path;
        }
        string first = Checkpoint("first.safetensors", 1), second = Checkpoint("second.safetensors", 2);
        string Eval(string checkpoint, string shard)
        {
            string output = dir.File($"{Path.GetFileNameWithoutExtension(checkpoint)}-{shard.Replace("/", "of")}.json");
            var r = CliRunner.Run(null, TimeSpan.FromSeconds(60), "eval", "--model", checkpoint, "--dataset", data, "--shard", shard, "--out", output, "--threads", "1");
            Assert.True(r.Exit == 0, r.Err);
            return output;
        }
        string a0 = Eval(first, "0/2"), b1 = Eval(second, "1/2");

        AssertRefused(Merge(a0, b1), $"{b1}: \"model_sha256\" is \"{Thermo.IO.Provenance.FileSha256(second)}\"", "not shards of one evaluation");
        Assert.Equal(0, Merge(a0, Eval(first, "1/2")).Exit);
    }
}
