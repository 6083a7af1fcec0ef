using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Thermo.IO;
using Thermo.Tests.Cli;
using Thermo.Tests.Training;

namespace Thermo.Tests.Cluster;

/// <summary>
/// `thermo slurm` against a real one-node Slurm cluster: a 4-shard Gibbs evaluation merges to the unsharded
/// output, a killed shard is rerun alone by `resume`, and SIGTERM-requeued training matches an uninterrupted run.
/// </summary>
[Collection("Slurm")]
public sealed partial class SlurmTests(SlurmCluster cluster)
{
    static readonly object ModelLock = new();
    static string? model;

    string Work(string name)
    {
        string dir = Path.Combine(cluster.Directory, "work", name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    string Data => SyntheticDigitsOnce(Path.Combine(cluster.Directory, "data"));

    static string SyntheticDigitsOnce(string dir)
    {
        lock (ModelLock)
            return File.Exists(Path.Combine(dir, "t10k-labels-idx1-ubyte")) ? dir : SyntheticDigits.Write(dir, train: 384, test: 64);
    }

    /// <summary>A thermodynamic (quickstart) checkpoint after two steps: enough to give Gibbs sampling something to do.</summary>
    string Model()
    {
        lock (ModelLock)
        {
            if (model is not null) return model;
            string dir = Path.Combine(cluster.Directory, "model");
            var (exit, _, err) = CliRunner.Run(null, TimeSpan.FromMinutes(2),
                ["train", "--preset", "quickstart", "--dataset", Data, "--max-steps", "2", "--batch-size", "32", "--train-limit", "64",
                 "--test-limit", "32", "--out", dir, "--quiet", "--threads", "1"]);
            Assert.True(exit == 0, err);
            return model = Path.Combine(dir, "model.safetensors");
        }
    }

    string[] EvalArgs() => ["eval", "--model", Model(), "--dataset", Data, "--mode", "gibbs", "--samples", "4", "--limit", "40"];

    (int Exit, string Out, string Err) Thermo(params string[] args) => CliRunner.Run(cluster.Environment, TimeSpan.FromMinutes(2), args);

    // The one field that measures wall time, and the shard label ("0/1" against "merged"), are all that may differ.
    static string WithoutTiming(string json) => SecondsOrShard().Replace(json, m => m.Groups[1].Value + "\"…\"");

    [GeneratedRegex("(\"seconds\":)[0-9.eE+-]+|(\"shard\":)\"[^\"]*\"")]
    private static partial Regex SecondsOrShardPattern();

    static Regex SecondsOrShard() => SecondsOrShardPattern();

    [SlurmFact]
    public void Four_shard_gibbs_evaluation_merges_to_the_unsharded_output_byte_for_byte()
    {
        string dir = Work("eval4"), whole = Path.Combine(dir, "whole.json"), run = Path.Combine(dir, "run");
        var (exit, _, err) = Thermo([.. EvalArgs(), "--out", whole, "--threads", "1"]);
        Assert.True(exit == 0, err);
        (exit, _, err) = Thermo(["slurm", "submit", "--run", run, "--shards", "4", "--", .. EvalArgs()]);
        Assert.True(exit == 0, err);
        cluster.WaitUntilIdle(TimeSpan.FromMinutes(2));
        string merged = Path.Combine(run, "merged.json");
        Assert.True(File.Exists(merged), "no merged.json; merge log: " + TryRead(Path.Combine(run, "logs", "merge.log")));
        Assert.Equal(WithoutTiming(File.ReadAllText(whole)), WithoutTiming(File.ReadAllText(merged)));
        var (_, status, _) = Thermo(["slurm", "status", run, "--json"]);
        var o = JsonNode.Parse(status)!;
        Assert.Equal(4, o["done"]!.AsArray().Count);
        Assert.Equal("done", o["merge"]!.GetValue<string>());
    }

    [SlurmFact]
    public void A_cancelled_shard_is_rerun_alone_by_resume_and_only_then_merged()
    {
        string dir = Work("kill"), whole = Path.Combine(dir, "whole.json"), run = Path.Combine(dir, "run");
        var (exit, _, err) = Thermo([.. EvalArgs(), "--out", whole, "--threads", "1"]);
        Assert.True(exit == 0, err);
        // Hold the partition so that shard 2 can be cancelled before it runs, then let the rest go.
        Assert.Equal(0, cluster.Run("scontrol", "update", "PartitionName=test", "State=DOWN").Exit);
        try
        {
            (exit, var submitted, err) = Thermo(["slurm", "submit", "--run", run, "--shards", "4", "--", .. EvalArgs()]);
            Assert.True(exit == 0, err);
            string array = Regex.Match(submitted, @"job array (\d+)").Groups[1].Value;
            Assert.Equal(0, cluster.Run("scancel", $"{array}_2").Exit);
        }
        finally
        {
            cluster.Run("scontrol", "update", "PartitionName=test", "State=UP");
        }
        cluster.WaitUntilIdle(TimeSpan.FromMinutes(2));
        var (_, status, _) = Thermo(["slurm", "status", run, "--json"]);
        var o = JsonNode.Parse(status)!;
        Assert.Equal([0, 1, 3], o["done"]!.AsArray().Select(i => i!.GetValue<int>()));
        Assert.Equal([2], o["failed"]!.AsArray().Select(i => i!.GetValue<int>()));
        Assert.False(File.Exists(Path.Combine(run, "merged.json")), "a merge ran without shard 2");

        var before = Enumerable.Range(0, 4).Where(i => i != 2).ToDictionary(i => i, i => File.GetLastWriteTimeUtc(Path.Combine(run, "shards", $"shard-{i}.json")));
        (exit, var resumed, err) = Thermo(["slurm", "resume", run]);
        Assert.True(exit == 0, err);
        Assert.Contains("resubmitted shard(s) 2 of 4", resumed);
        cluster.WaitUntilIdle(TimeSpan.FromMinutes(2));
        foreach (var (i, time) in before)
            Assert.Equal(time, File.GetLastWriteTimeUtc(Path.Combine(run, "shards", $"shard-{i}.json")));
        Assert.Equal(WithoutTiming(File.ReadAllText(whole)), WithoutTiming(File.ReadAllText(Path.Combine(run, "merged.json"))));
    }

    [SlurmFact]
    public void Training_sigtermed_by_slurm_requeues_itself_and_matches_an_uninterrupted_run_bit_for_bit()
    {
        string dir = Work("requeue"), whole = Path.Combine(dir, "whole"), run = Path.Combine(dir, "run");
        // 30 epochs of 12 steps: the signal goes out at the first checkpoint (step 4), and the remaining steps must
        // outlast the signal's delivery on a loaded machine (4 epochs finished first there, so nothing was requeued).
        string[] train = ["train", "--preset", "mnist-digital", "--dataset", Data, "--epochs", "30", "--batch-size", "32", "--seed", "5",
                          "--checkpoint-every", "4", "--quiet"];
        var (exit, _, err) = Thermo([.. train, "--out", whole, "--threads", "2"]);
        Assert.True(exit == 0, err);
        (exit, var submitted, err) = Thermo(["slurm", "submit", "--run", run, "--cpus-per-task", "2", "--", .. train]);
        Assert.True(exit == 0, err);
        string job = Regex.Match(submitted, @"as job (\d+)").Groups[1].Value;
        string checkpoint = Path.Combine(run, "train", "model.safetensors");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!File.Exists(checkpoint) && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.True(File.Exists(checkpoint), "training wrote no checkpoint; log: " + TryRead(Path.Combine(run, "logs", "train.log")));
        // What Slurm does at preemption or --signal time: SIGTERM to the batch script, which passes it on.
        Assert.Equal(0, cluster.Run("scancel", "--signal=TERM", "--batch", job).Exit);
        // Slurm makes a requeued job wait (BeginTime) before it is eligible again; release it at once.
        deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!cluster.Run("scontrol", "show", "job", job).Out.Contains("Restarts=1") && DateTime.UtcNow < deadline) Thread.Sleep(100);
        cluster.Run("scontrol", "update", $"JobId={job}", "StartTime=now");
        // The queue can look empty for a moment while the job passes from its first run to the requeued one, so
        // wait for the second run's line in the log as well as for an empty queue. On a quiet machine this takes
        // seconds; a full parallel test run beside a training run once needed more than 2 minutes.
        deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        string log;
        do
        {
            cluster.WaitUntilIdle(TimeSpan.FromMinutes(2));
            log = TryRead(Path.Combine(run, "logs", "train.log"));
            if (log.Contains("(restart 1)") || log.Contains("thermo exited with 0 (restart 0)")) break;
            Thread.Sleep(250);
        } while (DateTime.UtcNow < deadline);
        Assert.False(log.Contains("thermo exited with 0 (restart 0)"), "training finished before the signal reached it; log: " + log);
        Assert.True(log.Contains("thermo exited with 75 (restart 0)"), "the first run did not stop with a checkpoint; log: " + log);
        Assert.True(log.Contains("thermo exited with 0 (restart 1)"), "the requeued run did not finish; log: " + log);
        var a = Checkpoint.Load(Path.Combine(whole, "model.safetensors"));
        var b = Checkpoint.Load(checkpoint);
        Assert.Equal(a.Metadata.Training.Step, b.Metadata.Training.Step);
        foreach (var (name, t) in a.Model)
            Assert.True(t.Data.AsSpan().SequenceEqual(b.Model[name].Data), $"tensor {name} differs after the requeue; log: {log}");
    }

    static string TryRead(string path) => File.Exists(path) ? File.ReadAllText(path) : $"({path} missing)";
}
