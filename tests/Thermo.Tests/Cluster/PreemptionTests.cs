using Thermo.IO;
using Thermo.Tests.Cli;
using Thermo.Tests.Training;

namespace Thermo.Tests.Cluster;

/// <summary>
/// `thermo train` under SIGTERM (Slurm's preemption signal): it checkpoints after the current step, exits with
/// code 75, and `--auto-resume` continues to the same bits as an uninterrupted run.
/// </summary>
public sealed class PreemptionTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "thermo-term-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(root, true); } catch (IOException) { }
    }

    static string[] TrainArgs(string dir, string data) =>
        ["train", "--preset", "mnist-digital", "--dataset", data, "--epochs", "3", "--batch-size", "32", "--seed", "5",
         "--checkpoint-every", "4", "--out", dir, "--quiet", "--threads", "2"];

    [Fact]
    public async Task Sigterm_at_a_random_step_checkpoints_exits_75_and_auto_resume_continues_bit_identically()
    {
        string data = SyntheticDigits.Write(Path.Combine(root, "data"), train: 384, test: 64);
        string whole = Path.Combine(root, "whole"), stopped = Path.Combine(root, "stopped");
        var (exit, _, err) = CliRunner.Run(null, TimeSpan.FromMinutes(5), TrainArgs(whole, data));
        Assert.True(exit == 0, err);

        // SIGTERM once training is under way (a checkpoint exists) plus a random delay, fixed by the test's seed.
        string checkpoint = Path.Combine(stopped, "model.safetensors");
        var delay = TimeSpan.FromMilliseconds(new Random(23).Next(0, 300));
        string stderr;
        using (var p = CliRunner.Start(null, [.. TrainArgs(stopped, data), "--auto-resume"]))
        {
            var errTask = p.StandardError.ReadToEndAsync();
            _ = p.StandardOutput.ReadToEndAsync();
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
            while (!File.Exists(checkpoint) && !p.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(10);
            Thread.Sleep(delay);
            Assert.False(p.HasExited, "training finished before SIGTERM could be sent; the test needs a longer run");
            PosixKill.Send(p.Id, PosixKill.SigTerm);
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(1)), "thermo train did not stop within a minute of SIGTERM");
            stderr = await errTask;
            Assert.True(p.ExitCode == 75, $"exit code {p.ExitCode} after SIGTERM, expected 75 (preempted); stderr: {stderr}");
        }
        Assert.Contains("stopped by SIGTERM", stderr);
        long stoppedAt = Checkpoint.ReadMetadata(checkpoint).Training.Step;
        long total = Checkpoint.ReadMetadata(Path.Combine(whole, "model.safetensors")).Training.Step;
        Assert.InRange(stoppedAt, 1, total - 1);

        // The requeued job runs the same command line again.
        (exit, _, err) = CliRunner.Run(null, TimeSpan.FromMinutes(5), [.. TrainArgs(stopped, data), "--auto-resume"]);
        Assert.True(exit == 0, err);
        var a = Checkpoint.Load(Path.Combine(whole, "model.safetensors"));
        var b = Checkpoint.Load(checkpoint);
        Assert.Equal(a.Metadata.Training.Step, b.Metadata.Training.Step);
        foreach (var (name, t) in a.Model)
            Assert.True(t.Data.AsSpan().SequenceEqual(b.Model[name].Data), $"tensor {name} differs after SIGTERM at step {stoppedAt} and resume");
        foreach (var (name, t) in a.Optimizer)
            Assert.True(t.Data.AsSpan().SequenceEqual(b.Optimizer[name].Data), $"optimiser state {name} differs after SIGTERM at step {stoppedAt}");
    }

    [Fact]
    public void Auto_resume_refuses_resume_and_force_because_it_decides_itself()
    {
        var (exit, _, err) = CliRunner.Run(null, TimeSpan.FromMinutes(1),
            ["train", "--preset", "mnist-digital", "--out", Path.Combine(root, "x"), "--auto-resume", "--resume"]);
        Assert.Equal(2, exit);
        Assert.Contains("--auto-resume", err);
    }
}
