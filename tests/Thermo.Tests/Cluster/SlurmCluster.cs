using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Thermo.Tests.Cluster;

/// <summary>
/// A one-node Slurm cluster on loopback for the tests: its own munged (fresh key and socket), slurmctld and slurmd,
/// configured by Cluster/Slurm/slurm.conf, with state, spool and logs in a temporary directory. Started once for
/// the "Slurm" collection with bounded waits, and stopped (jobs cancelled, daemons shut down) at its end.
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    static readonly string[] Programs = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "scancel", "sinfo"];

    /// <summary>Why the Slurm tests cannot run here, or null when the packages are installed.</summary>
    public static string? Missing { get; } = Programs.FirstOrDefault(p => ClusterTools.Which(p) is null) is { } p
        ? $"{p} is not installed: apt-get install slurm-wlm munge (.ci/run installs them when it runs as root)"
        : null;

    /// <summary>The cluster's directory (configuration, state, logs).</summary>
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "thermo-slurm-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Environment for Slurm clients and thermo: SLURM_CONF points them at this cluster.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["SLURM_CONF"] = Config };

    string Config => Path.Combine(Directory, "slurm.conf");

    /// <summary>Starts munged, slurmctld and slurmd and waits (at most a minute) until the node is idle.</summary>
    public SlurmCluster()
    {
        if (Missing is not null) return;
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "state"));
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "spool"));
        string key = Path.Combine(Directory, "munge.key");
        File.WriteAllBytes(key, System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite); // munged refuses a readable key
        string template = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Cluster", "Slurm", "slurm.conf"));
        File.WriteAllText(Config, template.Replace("@DIR@", Directory).Replace("@HOSTNAME@", System.Net.Dns.GetHostName())
            .Replace("@CTLD_PORT@", FreePort().ToString()).Replace("@SLURMD_PORT@", FreePort().ToString()));
        // munged refuses to run as root without --force; the daemons below daemonise and write pid files.
        Require("munged", "--force", $"--key-file={key}", $"--socket={Path.Combine(Directory, "munge.socket")}",
            $"--pid-file={Path.Combine(Directory, "munged.pid")}", $"--log-file={Path.Combine(Directory, "munged.log")}",
            $"--seed-file={Path.Combine(Directory, "munged.seed")}");
        Require("slurmctld", "-f", Config);
        Require("slurmd", "-f", Config, "-N", "thermo-test-node");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var (_, state, _) = Run("sinfo", "-h", "-o", "%T");
            if (state.Trim() == "idle") break;
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"the test Slurm node did not become idle within a minute (sinfo: '{state.Trim()}'); logs in {Directory}");
            Thread.Sleep(250);
        }
    }

    static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    void Require(string program, params string[] args)
    {
        var (exit, _, err) = Run(program, args);
        if (exit != 0) throw new InvalidOperationException($"{program} failed to start (exit {exit}): {err.Trim()}; logs in {Directory}");
    }

    /// <summary>Runs a Slurm client (or daemon) against this cluster, with a one-minute limit.</summary>
    public (int Exit, string Out, string Err) Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(ClusterTools.Which(program) ?? program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["SLURM_CONF"] = Config;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            process.Kill(true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not exit within a minute");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Waits until no job is queued or running (at most <paramref name="limit"/>), releasing requeued jobs that Slurm holds back.</summary>
    public void WaitUntilIdle(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var (_, queue, _) = Run("squeue", "-h", "-o", "%i %T %r");
            if (queue.Trim().Length == 0) return;
            // A requeued job waits (reason BeginTime) before it is eligible again; release it, whenever it got there.
            foreach (var line in queue.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                if (line.Split(' ') is [var id, "PENDING", "BeginTime"]) Run("scontrol", "update", $"JobId={id}", "StartTime=now");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"jobs still queued after {limit}: {queue.Trim()}");
            Thread.Sleep(250);
        }
    }

    /// <summary>Cancels every job, shuts the daemons down and waits (bounded) for them to exit; kills what remains.</summary>
    public void Dispose()
    {
        if (Missing is not null || !File.Exists(Config)) return;
        try
        {
            Run("scancel", "--user", System.Environment.UserName);
            try { WaitUntilIdle(TimeSpan.FromSeconds(20)); } catch (TimeoutException) { }
            Run("scontrol", "shutdown");
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception) { }
        Stop(Path.Combine(Directory, "slurmd.pid"), TimeSpan.FromSeconds(10));
        Stop(Path.Combine(Directory, "slurmctld.pid"), TimeSpan.FromSeconds(10));
        Stop(Path.Combine(Directory, "munged.pid"), TimeSpan.Zero);
        try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { }
    }

    // Waits up to `grace` for a daemon asked to shut down, then sends SIGTERM, then SIGKILL.
    static void Stop(string pidFile, TimeSpan grace)
    {
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid)) return;
        Process process;
        try { process = Process.GetProcessById(pid); }
        catch (ArgumentException) { return; } // already gone
        using (process)
        {
            try
            {
                if (process.WaitForExit(grace)) return;
                PosixKill.Send(pid, PosixKill.SigTerm);
                if (process.WaitForExit(TimeSpan.FromSeconds(10))) return;
                process.Kill();
            }
            catch (InvalidOperationException) { }
        }
    }
}
