using System.Text.Json;
using System.Text.Json.Nodes;
using Thermo.IO;

namespace Thermo.Cli.Slurm;

/// <summary>
/// The run directory of <c>thermo slurm submit</c>: the sharded command, its job scripts, the shard outputs and
/// the record of what was submitted (slurm.json), which <c>status</c> and <c>resume</c> read.
/// Layout: array.sbatch, merge.sbatch, slurm.json, shards/shard-I.json, logs/, merged.json.
/// </summary>
public sealed class SlurmRunFile
{
    const string Format = "thermo-slurm-run";

    /// <summary>Absolute path of the run directory.</summary>
    public required string Directory { get; init; }
    /// <summary>The thermo command line that is sharded, without --shard and --out (e.g. eval --model m --mode gibbs).</summary>
    public required string[] Command { get; init; }
    /// <summary>Number of shards N.</summary>
    public required int Shards { get; init; }
    /// <summary>Array submissions, first to last.</summary>
    public List<SlurmSubmission> Submissions { get; init; } = [];
    /// <summary>Job id of the latest merge job, or null before one was submitted.</summary>
    public string? MergeJob { get; set; }

    /// <summary>The record file inside <paramref name="directory"/>.</summary>
    public static string RecordPath(string directory) => Path.Combine(directory, "slurm.json");
    /// <summary>The job-array script.</summary>
    public string ArrayScript => Path.Combine(Directory, "array.sbatch");
    /// <summary>The merge-job script.</summary>
    public string MergeScript => Path.Combine(Directory, "merge.sbatch");
    /// <summary>The merged result, written only from a complete set of shards.</summary>
    public string Merged => Path.Combine(Directory, "merged.json");
    /// <summary>Directory of the job logs.</summary>
    public string Logs => Path.Combine(Directory, "logs");
    /// <summary>Output of shard <paramref name="index"/>.</summary>
    public string ShardOutput(int index) => Path.Combine(Directory, "shards", $"shard-{index}.json");

    /// <summary>Reads the record of run directory <paramref name="directory"/>.</summary>
    public static SlurmRunFile Load(string directory)
    {
        string full = Path.GetFullPath(directory), path = RecordPath(full);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{directory}' holds no Slurm run (no slurm.json): start one with `thermo slurm submit`");
        var o = JsonInput.ReadObject(path, path);
        if (o["format"] is not JsonValue f || f.GetValueKind() != JsonValueKind.String || f.GetValue<string>() != Format) throw new InvalidDataException($"{path}: not a thermo Slurm run record");
        try
        {
            return new SlurmRunFile
            {
                Directory = full,
                Command = o["command"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray(),
                Shards = o["shards"]!.GetValue<int>(),
                Submissions = o["submissions"]!.AsArray().Select(s => new SlurmSubmission(s!["array_job"]!.GetValue<string>(),
                    s["shards"]!.AsArray().Select(i => i!.GetValue<int>()).ToArray())).ToList(),
                MergeJob = o["merge_job"]?.GetValue<string>(),
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
        {
            // Written by Thermo; a wrong type or a missing field means it was edited.
            throw new InvalidDataException($"{path}: not a complete Slurm run record ({(e is NullReferenceException ? "a field is missing" : JsonInput.Message(e))})");
        }
    }

    /// <summary>Writes the record (atomically) into <paramref name="directory"/>, which may be a staging copy of <see cref="Directory"/>.</summary>
    public void Save(string? directory = null)
    {
        var o = new JsonObject
        {
            ["format"] = Format,
            ["version"] = 1,
            ["command"] = new JsonArray(Command.Select(c => (JsonNode)c).ToArray()),
            ["shards"] = Shards,
            ["submissions"] = new JsonArray(Submissions.Select(s => (JsonNode)new JsonObject
            {
                ["array_job"] = s.ArrayJob,
                ["shards"] = new JsonArray(s.Shards.Select(i => (JsonNode)i).ToArray()),
            }).ToArray()),
            ["merge_job"] = MergeJob,
        };
        AtomicFile.WriteAllText(RecordPath(directory ?? Directory), o.ToFiniteJson() + "\n");
    }

    /// <summary>
    /// Every shard's state: done when its output exists, else pending or running when its latest submission is in
    /// the queue (<paramref name="queue"/>: array job id and task index to Slurm state), else failed.
    /// </summary>
    public ShardState[] States(IReadOnlyDictionary<(string Job, int Task), string> queue)
    {
        var states = new ShardState[Shards];
        for (int i = 0; i < Shards; i++)
        {
            if (File.Exists(ShardOutput(i))) { states[i] = ShardState.Done; continue; }
            states[i] = ShardState.Failed;
            foreach (var s in Submissions)
                if (Array.IndexOf(s.Shards, i) >= 0 && queue.TryGetValue((s.ArrayJob, i), out var state))
                    states[i] = state is "RUNNING" or "COMPLETING" ? ShardState.Running : ShardState.Pending;
        }
        return states;
    }
}
