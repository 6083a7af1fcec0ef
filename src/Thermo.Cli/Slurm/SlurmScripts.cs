using System.Text;

namespace Thermo.Cli.Slurm;

/// <summary>
/// The two batch scripts of a sharded run. The job array runs the command once per shard with
/// <c>--shard $SLURM_ARRAY_TASK_ID/N</c>, each task writing its own output; the merge job runs <c>thermo merge</c>
/// over all N outputs by name, so it fails rather than merge a partial set.
/// </summary>
public sealed record SlurmScripts
{
    /// <summary>The run the scripts belong to.</summary>
    public required SlurmRunFile Run { get; init; }
    /// <summary>How to start thermo on the compute nodes (an executable, or dotnet and the CLI assembly).</summary>
    public required string[] Thermo { get; init; }
    /// <summary>Working directory of the jobs: relative paths in the command resolve against it.</summary>
    public required string WorkingDirectory { get; init; }
    /// <summary>Slurm partition, or null for the cluster's default.</summary>
    public string? Partition { get; init; }
    /// <summary>Time limit per task (Slurm syntax, e.g. 1:00:00), or null for the partition's default.</summary>
    public string? TimeLimit { get; init; }
    /// <summary>Cores per shard; thermo runs that many threads.</summary>
    public int CpusPerTask { get; init; } = 1;

    string Name => "thermo-" + Path.GetFileName(Run.Directory);

    /// <summary>The job-array script.</summary>
    public string Array()
    {
        var s = Header(Name, "shard-%a.log", $"--array=0-{Run.Shards - 1}");
        s.Append("set -euo pipefail\n");
        s.Append("exec ").Append(Words(Thermo)).Append(' ').Append(Words(Run.Command));
        if (!Run.Command.Contains("--threads")) s.Append(" --threads ").Append(CpusPerTask);
        s.Append($" --shard \"$SLURM_ARRAY_TASK_ID/{Run.Shards}\" --out ")
         .Append(Quote(Path.Combine(Run.Directory, "shards", "shard-"))).Append("\"$SLURM_ARRAY_TASK_ID\"'.json' --force\n");
        return s.ToString();
    }

    /// <summary>The merge script; submitted with a dependency on the shards (afterok).</summary>
    public string Merge()
    {
        // A merge whose shards failed can never run: let Slurm cancel it instead of leaving it pending.
        var s = Header($"{Name}-merge", "merge.log", "--kill-on-invalid-dep=yes");
        s.Append("set -euo pipefail\n");
        s.Append("exec ").Append(Words(Thermo)).Append(" merge");
        for (int i = 0; i < Run.Shards; i++) s.Append(' ').Append(Quote(Run.ShardOutput(i)));
        s.Append(" --out ").Append(Quote(Run.Merged)).Append(" --force\n");
        return s.ToString();
    }

    /// <summary>
    /// A preemptible training job: SIGTERM (at preemption, or <c>--signal</c> 120 s before the time limit) reaches
    /// thermo through the batch shell, thermo checkpoints and exits with 75, and the script requeues the job, whose
    /// next start continues with <c>--auto-resume</c>. Any other exit code ends the job.
    /// </summary>
    public string Train()
    {
        var s = Header(Name, "train.log", "--requeue\n#SBATCH --open-mode=append\n#SBATCH --signal=B:TERM@120");
        s.Append("set -u\n");
        s.Append(Words(Thermo)).Append(' ').Append(Words(Run.Command));
        if (!Run.Command.Contains("--threads")) s.Append(" --threads ").Append(CpusPerTask);
        s.Append(" --auto-resume &\n");
        s.Append("""
            thermo=$!
            # bash runs a trap only between commands, so thermo runs in the background and the shell waits for it.
            trap 'kill -TERM "$thermo" 2>/dev/null' TERM
            wait "$thermo"; rc=$?
            while kill -0 "$thermo" 2>/dev/null; do wait "$thermo"; rc=$?; done
            echo "thermo exited with $rc (restart ${SLURM_RESTART_COUNT:-0})"
            if [ "$rc" -eq 75 ]; then scontrol requeue "$SLURM_JOB_ID"; fi
            exit "$rc"

            """);
        return s.ToString();
    }

    StringBuilder Header(string jobName, string log, string extra)
    {
        var s = new StringBuilder("#!/bin/bash\n");
        s.Append("# Written by `thermo slurm submit` (docs/cluster.md).\n");
        s.Append($"#SBATCH --job-name={jobName}\n");
        s.Append($"#SBATCH {extra}\n");
        s.Append($"#SBATCH --output={Path.Combine(Run.Logs, log)}\n");
        s.Append($"#SBATCH --chdir={WorkingDirectory}\n");
        s.Append($"#SBATCH --cpus-per-task={CpusPerTask}\n");
        s.Append("#SBATCH --ntasks=1\n");
        if (Partition is not null) s.Append($"#SBATCH --partition={Partition}\n");
        if (TimeLimit is not null) s.Append($"#SBATCH --time={TimeLimit}\n");
        return s;
    }

    static string Words(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));

    /// <summary>One shell word: single-quoted unless it is plainly safe.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";
}
