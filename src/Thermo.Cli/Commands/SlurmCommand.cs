using System.CommandLine;
using System.Text.Json.Nodes;
using Thermo.Cli.Slurm;
using Thermo.IO;

namespace Thermo.Cli.Commands;

/// <summary><c>thermo slurm submit|status|resume</c>: a sharded command as a Slurm job array plus a merge job.</summary>
public static class SlurmCommand
{
    /// <summary>Builds the command group.</summary>
    public static Command Create()
    {
        var cmd = new Command("slurm", """
            Slurm: sharded commands (eval, ising sample, schedule curve) as job arrays with a merge, and training that survives preemption.

            Task i runs the command with --shard i/N; a merge job waits for all of them (afterok) and runs
            `thermo merge` over every shard by name, so nothing is merged from a partial set. Randomness is keyed by
            example, so the merged result equals one process's. `submit -- train …` instead writes one job that
            checkpoints on SIGTERM, requeues itself and resumes. See docs/cluster.md.

            Examples:
              thermo slurm submit --run runs/eval-g64 --shards 16 --time 1:00:00 -- eval --model runs/mnist/model.safetensors --mode gibbs --samples 64
              thermo slurm status runs/eval-g64
              thermo slurm resume runs/eval-g64
              thermo slurm submit --run runs/train-mnist --time 4:00:00 -- train --preset mnist
            """);
        cmd.Subcommands.Add(Submit());
        cmd.Subcommands.Add(Status());
        cmd.Subcommands.Add(Resume());
        return cmd;
    }

    static Command Submit()
    {
        var command = new Argument<string[]>("command") { Description = "the thermo command to shard, after `--` (without --shard and --out)", Arity = ArgumentArity.OneOrMore };
        var run = new Option<string>("--run") { Description = "run directory: job scripts, shard outputs, logs and merged.json", Required = true };
        var shards = new Option<int?>("--shards") { Description = "number of shards N (array tasks) of eval, ising sample or schedule curve; not for train" }.Within(1, 1_000_000);
        var partition = new Option<string?>("--partition") { Description = "Slurm partition (default: the cluster's)" };
        var time = new Option<string?>("--time") { Description = "time limit per shard, e.g. 1:00:00 (default: the partition's)" };
        var cpus = new Option<int>("--cpus-per-task") { Description = "cores per shard; thermo runs as many threads", DefaultValueFactory = _ => 1 }.Within(1, 4096);
        var thermo = new Option<string?>("--thermo") { Description = "how compute nodes start thermo (default: this executable)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "print the job scripts and sbatch commands; write and submit nothing" };
        var force = CommonOptions.Force();
        var sub = new Command("submit", """
            Write the job scripts into --run and submit them with sbatch.

            With eval, ising sample or schedule curve: a job array of --shards tasks and a merge job. With train: one preemptible job
            (--requeue) that checkpoints on SIGTERM, requeues itself and resumes (its --out defaults to <run>/train).

            Examples:
              thermo slurm submit --run runs/eval4 --shards 4 -- eval --model runs/mnist/model.safetensors --mode gibbs
              thermo slurm submit --run runs/train-mnist --time 4:00:00 --cpus-per-task 8 -- train --preset mnist
            """) { command, run, shards, partition, time, cpus, thermo, dryRun, force };
        return sub.WithAction(parse =>
        {
            string[] args = parse.GetValue(command)!;
            bool training = args is ["train", ..];
            int c = parse.GetValue(cpus);
            if (c < 1) throw new ArgumentException($"--cpus-per-task must be at least 1, got {c}");
            int n;
            if (training)
            {
                if (parse.GetValue(shards) is not null) throw new ArgumentException("train is one job (use `--distributed mpi` to spread it over processes): drop --shards");
                n = 1;
            }
            else
            {
                CheckShardable(args);
                n = parse.GetValue(shards) ?? throw new ArgumentException("--shards N is required for a sharded command");
                if (n < 1) throw new ArgumentException($"--shards must be at least 1, got {n}");
                if (args is ["schedule", "compare", ..] && n != 1)
                    throw new ArgumentException("`schedule compare` runs as one task (--shards 1): its optimiser chooses the schedules from the pilot of every example at once. " +
                                                "Shard the measurement of the schedules it prints instead: `thermo slurm submit -- eval --mode gibbs --schedule …` per schedule");
            }
            string dir = parse.GetValue(run)!;
            string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
            if (training && !args.Any(a => a == "--out" || a.StartsWith("--out=", StringComparison.Ordinal)))
                args = [.. args, "--out", Path.Combine(full, "train")];
            var record = new SlurmRunFile { Directory = full, Command = args, Shards = n };
            var scripts = new SlurmScripts
            {
                Run = record, Thermo = parse.GetValue(thermo) is { } t ? [t] : ThisThermo(), WorkingDirectory = Environment.CurrentDirectory,
                Partition = parse.GetValue(partition), TimeLimit = parse.GetValue(time), CpusPerTask = c,
            };
            if (training) return SubmitTraining(record, scripts, dir, parse.GetValue(dryRun), parse.GetValue(force));
            if (parse.GetValue(dryRun))
            {
                Console.WriteLine($"# {record.ArrayScript}\n{scripts.Array()}\n# {record.MergeScript}\n{scripts.Merge()}");
                Console.WriteLine($"# submit: sbatch --parsable {record.ArrayScript}  (prints ARRAY_JOB)");
                Console.WriteLine($"#         sbatch --parsable --dependency=afterok:ARRAY_JOB {record.MergeScript}");
                return 0;
            }
            using (var output = CommandOutput.Directory(dir, parse.GetValue(force), "--run"))
            {
                Directory.CreateDirectory(Path.Combine(output.Path, "shards"));
                Directory.CreateDirectory(Path.Combine(output.Path, "logs"));
                AtomicFile.WriteAllText(Path.Combine(output.Path, "array.sbatch"), scripts.Array());
                AtomicFile.WriteAllText(Path.Combine(output.Path, "merge.sbatch"), scripts.Merge());
                record.Save(output.Path);
                output.Commit();
            }
            string array = SlurmClient.Submit(record.ArrayScript);
            record.Submissions.Add(new(array, Enumerable.Range(0, n).ToArray()));
            record.Save();
            record.MergeJob = SlurmClient.Submit(record.MergeScript, $"--dependency=afterok:{array}");
            record.Save();
            Console.WriteLine($"submitted {n} shards as job array {array} and merge job {record.MergeJob}; `thermo slurm status {dir}` follows them");
            return 0;
        });
    }

    static int SubmitTraining(SlurmRunFile record, SlurmScripts scripts, string dir, bool dryRun, bool force)
    {
        string script = Path.Combine(record.Directory, "train.sbatch");
        if (dryRun)
        {
            Console.WriteLine($"# {script}\n{scripts.Train()}\n# submit: sbatch --parsable {script}");
            return 0;
        }
        using (var output = CommandOutput.Directory(dir, force, "--run"))
        {
            Directory.CreateDirectory(Path.Combine(output.Path, "logs"));
            AtomicFile.WriteAllText(Path.Combine(output.Path, "train.sbatch"), scripts.Train());
            output.Commit();
        }
        string job = SlurmClient.Submit(script);
        Console.WriteLine($"submitted training as job {job}; it requeues itself when preempted (log {Path.Combine(record.Logs, "train.log")})");
        return 0;
    }

    static Command Status()
    {
        var run = new Argument<string>("run") { Description = "run directory of `thermo slurm submit`" };
        var json = CommonOptions.Json();
        var sub = new Command("status", "Report which shards are done, pending, running or failed, and whether the merge ran.") { run, json };
        return sub.WithAction(parse =>
        {
            var record = SlurmRunFile.Load(parse.GetValue(run)!);
            var queue = SlurmClient.Queue();
            var states = record.States(queue);
            string merge = MergeState(record, queue, states);
            if (parse.GetValue(json))
            {
                var o = new JsonObject { ["run"] = record.Directory, ["shards"] = record.Shards, ["merge"] = merge };
                foreach (var s in Enum.GetValues<ShardState>())
                    o[s.ToString().ToLowerInvariant()] = new JsonArray(Enumerable.Range(0, record.Shards).Where(i => states[i] == s).Select(i => (JsonNode)i).ToArray());
                Console.WriteLine(o.ToFiniteJson());
                return 0;
            }
            Console.WriteLine($"{record.Directory}: {record.Shards} shards: " + string.Join(", ", Enum.GetValues<ShardState>()
                .Select(s => $"{states.Count(x => x == s)} {s.ToString().ToLowerInvariant()}")) + $"; merge {merge}");
            for (int i = 0; i < record.Shards; i++)
                if (states[i] == ShardState.Failed) Console.WriteLine($"  shard {i}/{record.Shards} failed: see {Path.Combine(record.Logs, $"shard-{i}.log")}; `thermo slurm resume` reruns it");
            return 0;
        });
    }

    static Command Resume()
    {
        var run = new Argument<string>("run") { Description = "run directory of `thermo slurm submit`" };
        var sub = new Command("resume", "Resubmit the failed shards alone, and a merge job that waits for them and for those still queued.") { run };
        return sub.WithAction(parse =>
        {
            var record = SlurmRunFile.Load(parse.GetValue(run)!);
            var queue = SlurmClient.Queue();
            var states = record.States(queue);
            var failed = Enumerable.Range(0, record.Shards).Where(i => states[i] == ShardState.Failed).ToArray();
            string merge = MergeState(record, queue, states);
            if (failed.Length == 0 && merge is "done" or "pending" or "running")
            {
                Console.WriteLine($"nothing to resume: no shard failed and the merge is {merge}");
                return 0;
            }
            var after = new List<string>();
            if (failed.Length > 0)
            {
                string array = SlurmClient.Submit(record.ArrayScript, $"--array={string.Join(',', failed)}");
                record.Submissions.Add(new(array, failed));
                record.Save();
                after.Add(array);
            }
            // Shards of earlier submissions still in the queue: the new merge waits for each by array task.
            foreach (var s in record.Submissions.Take(failed.Length > 0 ? record.Submissions.Count - 1 : record.Submissions.Count))
                foreach (int i in s.Shards)
                    if (states[i] is ShardState.Pending or ShardState.Running && queue.ContainsKey((s.ArrayJob, i))) after.Add($"{s.ArrayJob}_{i}");
            if (record.MergeJob is { } old && queue.ContainsKey((old, -1))) SlurmClient.Cancel(old);
            record.MergeJob = after.Count > 0
                ? SlurmClient.Submit(record.MergeScript, $"--dependency=afterok:{string.Join(':', after)}")
                : SlurmClient.Submit(record.MergeScript);
            record.Save();
            Console.WriteLine(failed.Length > 0
                ? $"resubmitted shard(s) {string.Join(", ", failed)} of {record.Shards} as job array {record.Submissions[^1].ArrayJob}; merge job {record.MergeJob}"
                : $"all shards are done; resubmitted the merge as job {record.MergeJob}");
            return 0;
        });
    }

    static string MergeState(SlurmRunFile record, IReadOnlyDictionary<(string, int), string> queue, ShardState[] states)
    {
        if (File.Exists(record.Merged)) return "done";
        if (record.MergeJob is { } job && queue.TryGetValue((job, -1), out var state))
            return state is "RUNNING" or "COMPLETING" ? "running" : "pending";
        return states.All(s => s == ShardState.Done) ? "failed" : "not run (waits for failed shards: resume them)";
    }

    /// <summary>The commands that take --shard i/N and whose outputs `thermo merge` combines.</summary>
    static void CheckShardable(string[] args)
    {
        bool known = args is ["eval", ..] or ["ising", "sample", ..] or ["schedule", "curve", ..] or ["schedule", "compare", ..];
        if (!known)
            throw new ArgumentException($"thermo slurm submit shards `eval`, `ising sample` and `schedule curve`, and runs `schedule compare` as one task " +
                                        $"(they take --shard i/N and merge with `thermo merge`), not `{string.Join(' ', args.Take(2))}`");
        foreach (var a in args)
            if (a is "--shard" or "--out" || a.StartsWith("--shard=", StringComparison.Ordinal) || a.StartsWith("--out=", StringComparison.Ordinal))
                throw new ArgumentException($"give the command without {a.Split('=')[0]}: each array task gets --shard i/N and --out <run>/shards/shard-i.json, and the merged result is <run>/merged.json");
    }

    /// <summary>This thermo: the executable, or dotnet and the CLI assembly when started as `dotnet Thermo.Cli.dll`.</summary>
    static string[] ThisThermo()
    {
        string process = Environment.ProcessPath ?? "thermo";
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? [process, typeof(SlurmCommand).Assembly.Location] : [process];
    }
}
