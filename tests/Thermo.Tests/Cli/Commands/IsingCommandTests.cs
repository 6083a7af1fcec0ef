using System.CommandLine;
using System.Text.Json.Nodes;
using Thermo.Cli;
using Thermo.Cli.Commands;
using Thermo.IO;
using Thermo.Ising;
using Thermo.Nn;
using Thermo.Tests.IO;
using Thermo.Tests.Sampling;
using Thermo.Training;
using Thermo.Tests.Ising;

namespace Thermo.Tests.Cli.Commands;

public class IsingCommandTests : IDisposable
{
    readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    static int Run(params string[] args)
    {
        var root = new RootCommand();
        root.Options.Add(CommonOptions.Threads);
        root.Subcommands.Add(IsingCommand.Create());
        root.Subcommands.Add(MergeCommand.Create());
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = TextWriter.Null, Error = TextWriter.Null });
    }

    const string Problem = """
        {"beta": 0.7, "h": [0.2, -0.3, 0.1, 0.0, 0.4, -0.1],
         "J": [[0, 1, 0.8], [1, 2, -0.6], [2, 3, 0.5], [3, 4, 0.9], [4, 5, -0.4], [0, 5, 0.3], [1, 4, 0.2]],
         "clamped": {"3": -1}}
        """;

    [Fact]
    public void Sample_of_a_dimod_problem_matches_exact_enumeration()
    {
        File.WriteAllText(dir.File("p.json"), Problem);
        Assert.Equal(0, Run("ising", "sample", dir.File("p.json"), "--samples", "400", "--burn-in", "50", "--chains", "200", "--seed", "4", "--out", dir.File("out.json")));
        var o = JsonNode.Parse(File.ReadAllText(dir.File("out.json")))!.AsObject();
        var program = DimodProblem.Parse(Problem, "p");
        var (mean, pair) = ExactEnumeration.Moments(program, []);
        var m = o["magnetization"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        // Tolerance: 200 chains × 400 correlated samples; sd of a chain's time average ≤ 0.15 here, so se ≤ 0.011.
        for (int i = 0; i < 6; i++) Assert.True(Math.Abs(m[i] - mean[i]) < 0.05, $"m[{i}] = {m[i]:F4}, exact {mean[i]:F4}");
        Assert.Equal(1.0 * -1, m[3]);
        foreach (var c in o["correlations"]!.AsArray())
        {
            int i = c![0]!.GetValue<int>(), j = c[1]!.GetValue<int>();
            double v = c[2]!.GetValue<double>();
            Assert.True(Math.Abs(v - pair[i * 6 + j]) < 0.05, $"<s{i} s{j}> = {v:F4}, exact {pair[i * 6 + j]:F4}");
        }
        Assert.Equal(7, o["correlations"]!.AsArray().Count);
    }

    [Fact]
    public void Device_sampling_on_ilgpu_cpu_reproduces_the_reference_sampler_sums()
    {
        File.WriteAllText(dir.File("p.json"), Problem);
        string[] common = ["--samples", "30", "--burn-in", "5", "--chains", "4", "--seed", "7", "--correlations", "all"];
        Assert.Equal(0, Run(["ising", "sample", dir.File("p.json"), .. common, "--sampler", "reference", "--out", dir.File("cpu.json")]));
        Assert.Equal(0, Run(["ising", "sample", dir.File("p.json"), .. common, "--device", "ilgpu-cpu", "--out", dir.File("dev.json")]));
        var cpu = JsonNode.Parse(File.ReadAllText(dir.File("cpu.json")))!;
        var dev = JsonNode.Parse(File.ReadAllText(dir.File("dev.json")))!;
        Assert.Equal("device-ilgpu-cpu", (string?)dev["sampler"]);
        foreach (var key in new[] { "count", "spin_sums", "pair_sums" })
            Assert.Equal(cpu[key]!.ToJsonString(), dev[key]!.ToJsonString());
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    public void Merged_shards_equal_the_unsharded_run_byte_for_byte(int shards, int threads)
    {
        File.WriteAllText(dir.File("p.json"), Problem);
        string[] common = ["--samples", "50", "--chains", "5", "--seed", "11"];
        Assert.Equal(0, Run(["ising", "sample", dir.File("p.json"), .. common, "--threads", threads.ToString(), "--out", dir.File("all.json")]));
        var parts = new List<string>();
        for (int s = shards - 1; s >= 0; s--)
        {
            string part = dir.File($"part{s}.json");
            Assert.Equal(0, Run(["ising", "sample", dir.File("p.json"), .. common, "--threads", "1", "--shard", $"{s}/{shards}", "--out", part]));
            parts.Add(part);
        }
        Assert.Equal(0, Run(["merge", .. parts, "--out", dir.File("merged.json")]));
        Assert.Equal(File.ReadAllBytes(dir.File("all.json")), File.ReadAllBytes(dir.File("merged.json")));
        // A missing shard is refused.
        Assert.Equal(2, Run(["merge", parts[0], "--out", dir.File("bad.json")]));
        Assert.False(File.Exists(dir.File("bad.json")));
    }

    [Fact]
    public void Layered_program_with_inputs_shards_and_merges_exactly()
    {
        var program = LayeredSamplerTests.IntegerLayered(9, integer: false);
        IsingProgramFile.Save(dir.File("net.json"), program);
        var rows = new JsonArray(Enumerable.Range(0, 3).Select(r => (JsonNode)new JsonArray(Enumerable.Range(0, program.InputSpinCount).Select(i => (JsonNode)((i + r) % 3 == 0 ? 1 : -1)).ToArray())).ToArray());
        File.WriteAllText(dir.File("inputs.json"), rows.ToJsonString());
        string[] common = ["--inputs", dir.File("inputs.json"), "--samples", "8", "--burn-in", "2", "--chains", "3", "--correlations", "none"];
        Assert.Equal(0, Run(["ising", "sample", dir.File("net.json"), .. common, "--out", dir.File("all.json")]));
        Assert.Equal(0, Run(["ising", "sample", dir.File("net.json"), .. common, "--shard", "0/2", "--out", dir.File("a.json")]));
        Assert.Equal(0, Run(["ising", "sample", dir.File("net.json"), .. common, "--shard", "1/2", "--out", dir.File("b.json")]));
        Assert.Equal(0, Run(["merge", dir.File("a.json"), dir.File("b.json"), "--out", dir.File("merged.json")]));
        Assert.Equal(File.ReadAllBytes(dir.File("all.json")), File.ReadAllBytes(dir.File("merged.json")));
        var o = JsonNode.Parse(File.ReadAllText(dir.File("all.json")))!.AsObject();
        Assert.Equal(3, o["magnetization"]!.AsArray().Count);
        Assert.Equal("float32-incremental", o["sampler"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{\"beta\": -1, \"h\": [0.1]}")]
    [InlineData("{\"h\": [0.1, 0.2], \"J\": [[0, 2, 1.0]]}")]
    [InlineData("{\"h\": [0.1, 0.2], \"J\": [[0, 1, 1.0], [1, 0, 2.0]]}")]
    [InlineData("{\"h\": [0.1], \"clamped\": {\"0\": 2}}")]
    [InlineData("{\"h\": [0.1], \"temperature\": 3}")]
    [InlineData("not json")]
    public void Bad_problems_exit_2_and_write_nothing(string text)
    {
        File.WriteAllText(dir.File("bad.json"), text);
        Assert.Equal(2, Run("ising", "sample", dir.File("bad.json"), "--out", dir.File("out.json")));
        Assert.False(File.Exists(dir.File("out.json")));
    }

    [Fact]
    public void Compile_turns_a_tanh_checkpoint_into_a_program_and_refuses_relu()
    {
        const string tanh = """
            {"name": "tiny", "input": [1, 6, 6], "classes": 3, "layers": [
              {"type": "conv2d", "out": 4, "kernel": 3, "padding": 1}, {"type": "batchnorm"}, {"type": "tanh"},
              {"type": "avgpool", "kernel": 2}, {"type": "flatten"}, {"type": "linear", "out": 3}]}
            """;
        var spec = ModelSpec.Parse(tanh);
        var net = spec.Build();
        net.Initialize(3);
        Checkpoint.Save(dir.File("tanh.safetensors"), net, null, new CheckpointMetadata { ModelDefinition = spec.ToJson(), Training = new TrainingState() });
        // The program's tensor file would be tanh.safetensors, the checkpoint itself: refused, even with --force.
        Assert.Equal(2, Run("ising", "compile", "--model", dir.File("tanh.safetensors"), "--out", dir.File("tanh.json"), "--force"));
        Assert.False(File.Exists(dir.File("tanh.json")));
        Assert.Equal(0, Run("ising", "compile", "--model", dir.File("tanh.safetensors"), "--out", dir.File("tanh-program.json"), "--delta", "0.5"));
        var (program, _) = IsingProgramFile.Load(dir.File("tanh-program.json"));
        Assert.Equal(3, program.Layers.Count);
        Assert.Equal(0.5f, program.Delta);
        Assert.Equal(0, Run("ising", "info", dir.File("tanh-program.json")));

        var relu = ModelSpec.Parse(tanh.Replace("\"tanh\"", "\"relu\""));
        var rnet = relu.Build();
        rnet.Initialize(3);
        Checkpoint.Save(dir.File("relu.safetensors"), rnet, null, new CheckpointMetadata { ModelDefinition = relu.ToJson(), Training = new TrainingState() });
        Assert.Equal(2, Run("ising", "compile", "--model", dir.File("relu.safetensors"), "--out", dir.File("relu.json")));
        Assert.False(File.Exists(dir.File("relu.json")));
    }
}
