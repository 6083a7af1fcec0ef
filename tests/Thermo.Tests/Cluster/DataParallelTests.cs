using Thermo.IO;
using Thermo.Tests.Cli;
using Thermo.Tests.Training;

namespace Thermo.Tests.Cluster;

/// <summary>
/// `mpirun -np P thermo train --distributed mpi` against one process with the same global batch: the same weights
/// within the tolerance docs/cluster.md states (float rounding of a different summation order), bit for bit for
/// P = 1, and a run checkpointed with one P resumes with another.
/// </summary>
public sealed class DataParallelTests : IDisposable
{
    /// <summary>docs/cluster.md: after 24 AdamW steps every weight is within this of the one-process run.</summary>
    const float Tolerance = 1e-5f;

    const string TinyNet = """
        {"name": "tiny-cnn", "input": [1, 28, 28], "classes": 10, "layers": [
          {"type": "conv2d", "out": 8, "kernel": 3, "padding": 1}, {"type": "relu"}, {"type": "maxpool", "kernel": 2},
          {"type": "flatten"}, {"type": "linear", "out": 32}, {"type": "relu"}, {"type": "linear", "out": 10}]}
        """;

    readonly string root = Path.Combine(Path.GetTempPath(), "thermo-mpi-" + Guid.NewGuid().ToString("N"));
    readonly string data, model;

    public DataParallelTests()
    {
        data = SyntheticDigits.Write(Path.Combine(root, "data"), train: 384, test: 64);
        model = Path.Combine(root, "tiny.json");
        File.WriteAllText(model, TinyNet);
    }

    public void Dispose()
    {
        try { Directory.Delete(root, true); } catch (IOException) { }
    }

    string[] TrainArgs(string dir, int epochs = 2) =>
        ["train", "--model", model, "--dataset", data, "--epochs", epochs.ToString(), "--batch-size", "32", "--seed", "9",
         "--out", dir, "--quiet", "--threads", "1"];

    string SingleProcess()
    {
        string dir = Path.Combine(root, "single");
        var (exit, _, err) = CliRunner.Run(null, TimeSpan.FromMinutes(2), TrainArgs(dir));
        Assert.True(exit == 0, err);
        return Path.Combine(dir, "model.safetensors");
    }

    static float MaxDifference(string a, string b)
    {
        var x = Checkpoint.Load(a);
        var y = Checkpoint.Load(b);
        Assert.Equal(x.Metadata.Training.Step, y.Metadata.Training.Step);
        Assert.Equal(x.Model.Keys.Order(), y.Model.Keys.Order());
        float worst = 0;
        foreach (var (name, t) in x.Model)
            for (int i = 0; i < t.Length; i++) worst = Math.Max(worst, Math.Abs(t.Data[i] - y.Model[name].Data[i]));
        return worst;
    }

    [MpiTheory]
    [InlineData(2)]
    [InlineData(3)]
    public void Processes_sharing_each_global_batch_match_one_process_within_the_stated_tolerance(int processes)
    {
        string single = SingleProcess();
        string dir = Path.Combine(root, $"np{processes}");
        var (exit, _, err) = MpiRun.Run(processes, TimeSpan.FromMinutes(2), [.. TrainArgs(dir), "--distributed", "mpi"]);
        Assert.True(exit == 0, err);
        float worst = MaxDifference(single, Path.Combine(dir, "model.safetensors"));
        Assert.True(worst <= Tolerance, $"{processes} processes: largest weight difference {worst:G3} exceeds {Tolerance:G3}");
        // Only rank 0 writes: one report, no leftovers from the other ranks.
        string[] entries = Directory.GetFileSystemEntries(dir).Select(e => Path.GetFileName(e)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["figures", "model.safetensors", "report.html", "report.json", "report.md"], entries);
    }

    [MpiFact]
    public void One_mpi_process_trains_bit_identically_to_plain_training()
    {
        string single = SingleProcess();
        string dir = Path.Combine(root, "np1");
        var (exit, _, err) = MpiRun.Run(1, TimeSpan.FromMinutes(2), [.. TrainArgs(dir), "--distributed", "mpi"]);
        Assert.True(exit == 0, err);
        Assert.Equal(0f, MaxDifference(single, Path.Combine(dir, "model.safetensors")));
    }

    [MpiFact]
    public async Task Sigterm_to_one_rank_stops_every_rank_after_the_same_step_and_the_run_resumes_with_another_count()
    {
        string dir = Path.Combine(root, "term"), checkpoint = Path.Combine(dir, "model.safetensors");
        string[] args = [.. TrainArgs(dir, epochs: 6), "--distributed", "mpi", "--checkpoint-every", "2", "--auto-resume"];
        var start = new System.Diagnostics.ProcessStartInfo("mpirun") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["--allow-run-as-root", "--oversubscribe", "-np", "2", "dotnet", Path.Combine(AppContext.BaseDirectory, "Thermo.Cli.dll"), .. args])
            start.ArgumentList.Add(a);
        start.Environment["THERMO_OFFLINE"] = "1";
        using (var mpirun = System.Diagnostics.Process.Start(start)!)
        {
            var stderr = mpirun.StandardError.ReadToEndAsync();
            _ = mpirun.StandardOutput.ReadToEndAsync();
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            while (!File.Exists(checkpoint) && !mpirun.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(10);
            // One rank only, as when a signal reaches the processes at different moments.
            int rank = Ranks(dir).First();
            PosixKill.Send(rank, PosixKill.SigTerm);
            Assert.True(mpirun.WaitForExit(TimeSpan.FromMinutes(1)), "mpirun did not exit within a minute of SIGTERM to one rank");
            string err = await stderr;
            Assert.True(mpirun.ExitCode == 75, $"mpirun exit code {mpirun.ExitCode}, expected 75 from the stopped ranks; stderr: {err}");
        }
        long stoppedAt = Checkpoint.ReadMetadata(checkpoint).Training.Step;
        Assert.InRange(stoppedAt, 1, 12 * 6 - 1);
        // Continue with three processes, then compare with one process trained for the same six epochs.
        var (exit, _, err2) = MpiRun.Run(3, TimeSpan.FromMinutes(2), args);
        Assert.True(exit == 0, err2);
        string whole = Path.Combine(root, "single6");
        (exit, _, err2) = CliRunner.Run(null, TimeSpan.FromMinutes(2), TrainArgs(whole, epochs: 6));
        Assert.True(exit == 0, err2);
        float worst = MaxDifference(Path.Combine(whole, "model.safetensors"), checkpoint);
        Assert.True(worst <= Tolerance, $"stopped at step {stoppedAt} with 2 ranks, resumed with 3: largest weight difference {worst:G3}");
    }

    /// <summary>Process ids of the ranks training into <paramref name="dir"/> (found by their command lines).</summary>
    static IEnumerable<int> Ranks(string dir)
    {
        foreach (var proc in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out int pid)) continue;
            string cmdline;
            try { cmdline = File.ReadAllText(Path.Combine(proc, "cmdline")); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            var words = cmdline.Split('\0');
            if (words.Length > 1 && Path.GetFileName(words[0]) == "dotnet" && words.Contains(dir) && words.Contains("mpi")) yield return pid;
        }
    }

    [MpiFact]
    public void A_run_checkpointed_by_two_processes_resumes_with_three()
    {
        string single = SingleProcess();
        string dir = Path.Combine(root, "np2to3");
        var (exit, _, err) = MpiRun.Run(2, TimeSpan.FromMinutes(2), [.. TrainArgs(dir), "--distributed", "mpi", "--max-steps", "7"]);
        Assert.True(exit == 0, err);
        Assert.Equal(7, Checkpoint.ReadMetadata(Path.Combine(dir, "model.safetensors")).Training.Step);
        (exit, _, err) = MpiRun.Run(3, TimeSpan.FromMinutes(2), [.. TrainArgs(dir), "--distributed", "mpi", "--resume"]);
        Assert.True(exit == 0, err);
        float worst = MaxDifference(single, Path.Combine(dir, "model.safetensors"));
        Assert.True(worst <= Tolerance, $"2 then 3 processes: largest weight difference {worst:G3} exceeds {Tolerance:G3}");
    }
}
