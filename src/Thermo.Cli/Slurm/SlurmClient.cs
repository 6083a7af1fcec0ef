using System.Diagnostics;

namespace Thermo.Cli.Slurm;

/// <summary>
/// Talks to Slurm through its command-line tools (sbatch, squeue, scancel) found on PATH, as a user would:
/// Thermo keeps no scheduler state of its own beyond the job ids it records.
/// </summary>
public static class SlurmClient
{
    /// <summary>Submits <paramref name="script"/> with extra sbatch options; returns the job id.</summary>
    public static string Submit(string script, params string[] options)
    {
        var (exit, output, error) = Execute("sbatch", ["--parsable", .. options, script]);
        if (exit != 0) throw new IOException($"sbatch {string.Join(' ', options)} {script} failed (exit {exit}): {error.Trim()}");
        // --parsable prints "jobid" or "jobid;cluster".
        string id = output.Trim().Split(';')[0];
        if (id.Length == 0 || !id.All(char.IsAsciiDigit)) throw new IOException($"sbatch printed '{output.Trim()}', expected a job id");
        return id;
    }

    /// <summary>Every job and array task in the queue: (array job id or job id, task index or -1) → state (PENDING, RUNNING, …).</summary>
    public static Dictionary<(string Job, int Task), string> Queue()
    {
        // -r lists each array task on its own line; %F is the array's job id, %K the task index (N/A outside arrays).
        var (exit, output, error) = Execute("squeue", ["-h", "-r", "-o", "%F|%K|%T"]);
        if (exit != 0) throw new IOException($"squeue failed (exit {exit}): {error.Trim()}");
        var queue = new Dictionary<(string, int), string>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split('|');
            if (f.Length != 3) continue;
            queue[(f[0], int.TryParse(f[1], out int task) ? task : -1)] = f[2];
        }
        return queue;
    }

    /// <summary>Cancels job <paramref name="job"/> (ignoring one that has already left the queue).</summary>
    public static void Cancel(string job) => Execute("scancel", [job]);

    static (int Exit, string Output, string Error) Execute(string program, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new IOException($"cannot run {program} ({e.Message}): is this a Slurm login node? `--dry-run` prints the job scripts without Slurm");
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(true);
                throw new IOException($"{program} did not answer within two minutes");
            }
            return (process.ExitCode, output.Result, error.Result);
        }
    }
}
