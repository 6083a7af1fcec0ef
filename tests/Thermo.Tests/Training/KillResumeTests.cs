using Thermo.IO;
using Thermo.Tests.Cli;

namespace Thermo.Tests.Training;

/// <summary>A real `thermo train` process killed with SIGKILL resumes to the same weights as an uninterrupted run.</summary>
public sealed class KillResumeTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "thermo-kill-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(root, true); } catch (IOException) { }
    }

    static string[] TrainArgs(string dir, string data, string[] extra) =>
        ["train", "--preset", "mnist-digital", "--dataset", data, "--epochs", "3", "--batch-size", "32", "--seed", "7",
         "--checkpoint-every", "3", "--out", dir, "--quiet", "--threads", "2", .. extra];

    [Theory]
    [InlineData(null)]
    [InlineData("0.9")]   // the weight average is state too: its checkpointed copy must continue exactly
    public void Training_killed_at_a_random_moment_resumes_to_bit_identical_weights(string? ema)
    {
        string[] extra = ema is null ? [] : ["--ema", ema];
        string data = SyntheticDigits.Write(Path.Combine(root, "data"), train: 384, test: 64);
        string whole = Path.Combine(root, "whole"), killed = Path.Combine(root, "killed");
        var (exit, _, err) = CliRunner.Run(null, TimeSpan.FromMinutes(5), TrainArgs(whole, data, extra));
        Assert.True(exit == 0, err);

        // Kill once a checkpoint exists plus a random extra delay (fixed seed for reproducibility of the test itself).
        string checkpoint = Path.Combine(killed, "model.safetensors");
        var delay = TimeSpan.FromMilliseconds(new Random(11).Next(0, 400));
        using (var p = CliRunner.Start(null, TrainArgs(killed, data, extra)))
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
            while (!File.Exists(checkpoint) && !p.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(20);
            Thread.Sleep(delay);
            if (!p.HasExited) p.Kill(entireProcessTree: true); // SIGKILL
            p.WaitForExit();
        }
        Assert.True(File.Exists(checkpoint), "no checkpoint was written before the kill");
        var atKill = Checkpoint.ReadMetadata(checkpoint).Training; // must be a complete, valid file
        Assert.True(atKill.Step > 0);

        (exit, _, err) = CliRunner.Run(null, TimeSpan.FromMinutes(5), [.. TrainArgs(killed, data, extra), "--resume"]);
        Assert.True(exit == 0, err);
        var a = Checkpoint.Load(Path.Combine(whole, "model.safetensors"));
        var b = Checkpoint.Load(checkpoint);
        Assert.Equal(a.Metadata.Training.Step, b.Metadata.Training.Step);
        foreach (var (name, t) in a.Model)
            Assert.True(t.Data.AsSpan().SequenceEqual(b.Model[name].Data), $"tensor {name} differs after kill at step {atKill.Step} and resume");
        foreach (var (name, t) in a.Optimizer)
            Assert.True(t.Data.AsSpan().SequenceEqual(b.Optimizer[name].Data), $"optimiser state {name} differs");
    }
}
