using System.Diagnostics;
using System.Security.Cryptography;
using Thermo.Tests.Data;

namespace Thermo.Tests.Cli;

/// <summary>
/// Ctrl-C (SIGINT) or SIGTERM while a command writes <c>--out</c> (issue 12, item 1): the process used to end without
/// cleaning up, leaving an empty or partial run directory, or a staging directory beside the previous result. Each
/// test starts `dotnet Thermo.Cli.dll quickstart` as a child, sends the signal while it trains, and checks what is left.
/// </summary>
public sealed class InterruptTests : IDisposable
{
    readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    /// <summary>28×28 IDX images of ten classes (a bright column per class on noise): enough for seconds of quickstart training.</summary>
    internal static void WriteDigits(string folder, int trainCount = 4000, int testCount = 200)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(7);
        foreach (var (prefix, n) in new[] { ("train", trainCount), ("t10k", testCount) })
        {
            var pixels = new byte[n * 784];
            var labels = new byte[n];
            for (int i = 0; i < n; i++)
            {
                labels[i] = (byte)(i % 10);
                for (int k = 0; k < 784; k++) pixels[i * 784 + k] = (byte)random.Next(60);
                for (int row = 0; row < 28; row++) pixels[i * 784 + row * 28 + 3 + 2 * labels[i]] = 250;
            }
            File.WriteAllBytes(Path.Combine(folder, $"{prefix}-images-idx3-ubyte"), TestFiles.Idx(0x08, [n, 28, 28], pixels));
            File.WriteAllBytes(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte"), TestFiles.Idx(0x08, [n], labels));
        }
    }

    static SortedDictionary<string, string> Snapshot(string root) =>
        new(Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);

    /// <summary>Runs quickstart, sends <paramref name="signal"/> once training has started, and returns the exit code and stderr.</summary>
    (int Exit, string Err) InterruptQuickstart(string signal, params string[] extra)
    {
        string data = dir.File("digits");
        if (!Directory.Exists(data)) WriteDigits(data);
        // env resets the signal to its default action: a shell without job control starts background jobs with SIGINT ignored.
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--default-signal=INT", "--default-signal=TERM", "dotnet", Path.Combine(AppContext.BaseDirectory, "Thermo.Cli.dll"),
                     "quickstart", "--dataset", data, "--eval-examples", "200", "--threads", "2" })
            start.ArgumentList.Add(a);
        foreach (var a in extra) start.ArgumentList.Add(a);
        start.Environment["THERMO_OFFLINE"] = "1";
        start.Environment["THERMO_DATA_DIR"] = dir.File("cache");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var err = new System.Text.StringBuilder();
        var deadline = Stopwatch.StartNew();
        while (process.StandardError.ReadLine() is { } line)
        {
            err.AppendLine(line);
            if (line.StartsWith("[2/4]", StringComparison.Ordinal)) break;
            if (deadline.Elapsed > TimeSpan.FromMinutes(2)) break;
        }
        Thread.Sleep(100);
        using (var kill = Process.Start("kill", ["-s", signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!) kill.WaitForExit();
        err.Append(process.StandardError.ReadToEnd());
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) { process.Kill(true); throw new TimeoutException("quickstart did not end after the signal"); }
        _ = stdout.Result;
        return (process.ExitCode, err.ToString());
    }

    static string[] Leftovers(string folder) =>
        Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Where(n => n!.StartsWith(".thermo-", StringComparison.Ordinal)).ToArray()!;

    [Theory]
    [InlineData("INT", 130, "interrupted (Ctrl-C)")]
    [InlineData("TERM", 143, "terminated (SIGTERM)")]
    public void A_signal_during_a_new_run_leaves_no_run_directory_behind(string signal, int exit, string said)
    {
        string run = dir.File("runs/quickstart");
        var r = InterruptQuickstart(signal, "--out", run);
        Assert.True(r.Exit == exit, $"exit {r.Exit}: {r.Err}");
        // Training had not reached a checkpoint, so nothing could be resumed: no run directory, not even the parent it created.
        Assert.False(Directory.Exists(run) && !File.Exists(Path.Combine(run, "model.safetensors")), $"'{run}' was left without a checkpoint: {r.Err}");
        if (!Directory.Exists(run)) Assert.False(Directory.Exists(dir.File("runs")), r.Err);
        Assert.Empty(Leftovers(dir.Path));
        Assert.Contains(said, r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public void A_signal_during_a_forced_rerun_keeps_the_previous_result_and_leaves_no_staging(string signal, int exit)
    {
        string run = dir.File("quickstart");
        Directory.CreateDirectory(Path.Combine(run, "figures"));
        File.WriteAllBytes(Path.Combine(run, "model.safetensors"), [1, 2, 3, 4, 5, 6, 7, 8]);
        File.WriteAllText(Path.Combine(run, "report.json"), "{\"an\": \"earlier result\"}");
        File.WriteAllText(Path.Combine(run, "figures", "accuracy.png"), "png");
        var before = Snapshot(run);

        var r = InterruptQuickstart(signal, "--out", run, "--force");

        Assert.True(r.Exit == exit, $"exit {r.Exit}: {r.Err}");
        Assert.Equal(before, Snapshot(run));
        Assert.Empty(Leftovers(dir.Path));
        Assert.Contains($"'{run}' is unchanged", r.Err);
    }
}
