using System.Text.Json.Nodes;
using Thermo.Tests.Cli;
using Thermo.Tests.Cluster;

namespace Thermo.Tests.Cli.Commands;

/// <summary>
/// `thermo slurm` without a cluster: the scripts `--dry-run` prints, the commands it refuses, and the decisions
/// of status and resume, driven through stand-in sbatch/squeue/scancel scripts that record their arguments.
/// </summary>
public sealed class SlurmCommandTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "thermo-slurmcli-" + Guid.NewGuid().ToString("N"));

    public SlurmCommandTests() => Directory.CreateDirectory(root);

    public void Dispose()
    {
        try { Directory.Delete(root, true); } catch (IOException) { }
    }

    static readonly string[] Eval = ["eval", "--model", "m.safetensors", "--mode", "gibbs", "--samples", "8"];

    [Fact]
    public void Dry_run_prints_an_array_of_n_shards_and_a_merge_of_all_of_them_after_it_and_writes_nothing()
    {
        string run = Path.Combine(root, "run");
        var (exit, stdout, err) = CliRunner.Run(null, TimeSpan.FromMinutes(1), ["slurm", "submit", "--run", run, "--shards", "4", "--time", "0:30:00", "--dry-run", "--", .. Eval]);
        Assert.True(exit == 0, err);
        Assert.Contains("#SBATCH --array=0-3", stdout);
        Assert.Contains("#SBATCH --time=0:30:00", stdout);
        Assert.Contains("eval --model m.safetensors --mode gibbs --samples 8 --threads 1 --shard \"$SLURM_ARRAY_TASK_ID/4\"", stdout);
        Assert.Contains($"--out {run}/shards/shard-\"$SLURM_ARRAY_TASK_ID\"'.json'", stdout);
        // The merge names every shard, so it cannot succeed on a partial set.
        Assert.Contains($"merge {run}/shards/shard-0.json {run}/shards/shard-1.json {run}/shards/shard-2.json {run}/shards/shard-3.json --out {run}/merged.json", stdout);
        Assert.Contains("--dependency=afterok:ARRAY_JOB", stdout);
        Assert.Contains("#SBATCH --kill-on-invalid-dep=yes", stdout);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void Training_dry_run_requeues_on_exit_75_and_resumes_automatically()
    {
        var (exit, stdout, err) = CliRunner.Run(null, TimeSpan.FromMinutes(1),
            ["slurm", "submit", "--run", Path.Combine(root, "t"), "--dry-run", "--", "train", "--preset", "mnist"]);
        Assert.True(exit == 0, err);
        Assert.Contains("#SBATCH --requeue", stdout);
        Assert.Contains("#SBATCH --signal=B:TERM@120", stdout);
        Assert.Contains($"train --preset mnist --out {Path.Combine(root, "t", "train")} --threads 1 --auto-resume &", stdout);
        Assert.Contains("if [ \"$rc\" -eq 75 ]; then scontrol requeue \"$SLURM_JOB_ID\"; fi", stdout);
    }

    [Fact]
    public void Ising_sample_is_sharded_over_its_input_and_chain_grid_like_eval()
    {
        var (exit, stdout, err) = CliRunner.Run(null, TimeSpan.FromMinutes(1),
            ["slurm", "submit", "--run", Path.Combine(root, "s"), "--shards", "3", "--dry-run", "--", "ising", "sample", "p.json", "--chains", "64"]);
        Assert.True(exit == 0, err);
        Assert.Contains("ising sample p.json --chains 64 --threads 1 --shard \"$SLURM_ARRAY_TASK_ID/3\"", stdout);
    }

    [Fact]
    public void Schedule_curve_is_sharded_over_whole_pilot_batches_like_eval()
    {
        var (exit, stdout, err) = CliRunner.Run(null, TimeSpan.FromMinutes(1),
            ["slurm", "submit", "--run", Path.Combine(root, "c"), "--shards", "4", "--dry-run", "--", "schedule", "curve", "--model", "m", "--predict-only"]);
        Assert.True(exit == 0, err);
        Assert.Contains("schedule curve --model m --predict-only --threads 1 --shard \"$SLURM_ARRAY_TASK_ID/4\"", stdout);
    }

    [Fact]
    public void Schedule_compare_runs_as_one_task_with_its_merge()
    {
        var (exit, stdout, err) = CliRunner.Run(null, TimeSpan.FromMinutes(1),
            ["slurm", "submit", "--run", Path.Combine(root, "k"), "--shards", "1", "--dry-run", "--", "schedule", "compare", "--model", "m"]);
        Assert.True(exit == 0, err);
        Assert.Contains("#SBATCH --array=0-0", stdout);
        Assert.Contains("schedule compare --model m --threads 1 --shard \"$SLURM_ARRAY_TASK_ID/1\"", stdout);
    }

    [Theory]
    [InlineData("schedule compare --model m", "runs as one task")]
    [InlineData("schedule autocorr --model m", "not `schedule autocorr`")]
    [InlineData("eval --model m --out x.json", "without --out")]
    [InlineData("eval --model m --shard=1/2", "without --shard")]
    public void Submit_refuses_commands_it_cannot_shard(string command, string message)
    {
        var (exit, _, err) = CliRunner.Run(null, TimeSpan.FromMinutes(1),
            ["slurm", "submit", "--run", Path.Combine(root, "r"), "--shards", "2", "--dry-run", "--", .. command.Split(' ')]);
        Assert.Equal(2, exit);
        Assert.Contains(message, err);
    }

    /// <summary>Stand-in Slurm tools: sbatch hands out job ids 100, 101, … and logs its arguments; squeue prints queue.txt.</summary>
    string FakeSlurm()
    {
        string bin = Path.Combine(root, "bin");
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "sbatch"), $$"""
            #!/bin/bash
            n=$(cat {{root}}/next 2>/dev/null || echo 100)
            echo "$n $*" >> {{root}}/sbatch.log
            echo $((n + 1)) > {{root}}/next
            echo "$n"
            """);
        File.WriteAllText(Path.Combine(bin, "squeue"), $"#!/bin/bash\ncat {root}/queue.txt 2>/dev/null\n");
        File.WriteAllText(Path.Combine(bin, "scancel"), $"#!/bin/bash\necho \"$*\" >> {root}/scancel.log\n");
        foreach (var f in Directory.GetFiles(bin))
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return bin;
    }

    [Fact]
    public void Resume_resubmits_only_failed_shards_and_a_merge_that_waits_for_them_and_for_those_still_running()
    {
        string bin = FakeSlurm(), run = Path.Combine(root, "run");
        var env = new Dictionary<string, string> { ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH") };
        var (exit, stdout, err) = CliRunner.Run(env, TimeSpan.FromMinutes(1), ["slurm", "submit", "--run", run, "--shards", "4", "--", .. Eval]);
        Assert.True(exit == 0, err);
        Assert.Contains("job array 100 and merge job 101", stdout);
        // Shards 0 and 3 finished, 1 is still running, 2 vanished from the queue without output (killed); the
        // merge job was cancelled by Slurm because its dependency can no longer be met.
        File.WriteAllText(Path.Combine(run, "shards", "shard-0.json"), "{}");
        File.WriteAllText(Path.Combine(run, "shards", "shard-3.json"), "{}");
        File.WriteAllText(Path.Combine(root, "queue.txt"), "100|1|RUNNING\n");

        (exit, stdout, err) = CliRunner.Run(env, TimeSpan.FromMinutes(1), ["slurm", "status", run, "--json"]);
        Assert.True(exit == 0, err);
        var status = JsonNode.Parse(stdout)!;
        Assert.Equal([0, 3], status["done"]!.AsArray().Select(i => i!.GetValue<int>()));
        Assert.Equal([1], status["running"]!.AsArray().Select(i => i!.GetValue<int>()));
        Assert.Equal([2], status["failed"]!.AsArray().Select(i => i!.GetValue<int>()));

        (exit, stdout, err) = CliRunner.Run(env, TimeSpan.FromMinutes(1), ["slurm", "resume", run]);
        Assert.True(exit == 0, err);
        var log = File.ReadAllLines(Path.Combine(root, "sbatch.log"));
        Assert.Equal(4, log.Length);
        Assert.Equal($"102 --parsable --array=2 {run}/array.sbatch", log[2]);
        Assert.Equal($"103 --parsable --dependency=afterok:102:100_1 {run}/merge.sbatch", log[3]);
    }
}
