using System.Text.Json.Nodes;
using Thermo.Blocks;
using Thermo.Data;
using Thermo.Sampling;
using Thermo.IO;

namespace Thermo.Evaluation;

/// <summary>
/// The per-example result of <c>thermo eval --out</c> (kind "eval") and merging of shards: a merged result
/// holds exactly the predictions of the unsharded run, because sampling randomness is keyed by example index.
/// </summary>
public static class EvalShards
{
    /// <summary>
    /// JSON document of one (possibly sharded) evaluation. <paramref name="modelSha256"/> identifies the model's
    /// bytes (a checkpoint's SHA-256): two checkpoints of one model name are different models to merge.
    /// <c>"tta"</c> names the test-time views whose scores were summed (null: the images as they are).
    /// </summary>
    public static JsonObject ToJson(EvalResult r, string model, string dataset, string split, EvalMode mode,
        GibbsSettings? gibbs, Shard shard, int start, ReadOnlySpan<int> labels, string? modelSha256 = null,
        IReadOnlyList<TestTimeView>? views = null)
    {
        return new JsonObject
        {
            ["kind"] = "eval",
            ["model"] = model,
            ["model_sha256"] = modelSha256,
            ["dataset"] = dataset,
            ["split"] = split,
            ["mode"] = mode.ToString().ToLowerInvariant(),
            ["samples"] = gibbs is null ? null : new JsonArray(gibbs.Schedule.Samples.Select(g => (JsonNode)g).ToArray()),
            ["burn_in"] = gibbs is null ? null : BurnIn(gibbs.Schedule),
            ["chains"] = gibbs?.Chains,
            ["seed"] = gibbs?.Seed,
            ["tta"] = TestTimeView.AsIs(views) ? null : new JsonArray(views.Select(v => (JsonNode)v.Name).ToArray()),
            ["shard"] = shard.ToString(),
            ["start"] = start,
            ["count"] = r.Count,
            ["correct"] = r.Correct,
            ["top2"] = r.Top2,
            ["spin_updates"] = new JsonArray(r.SpinUpdates.Select(u => (JsonNode)u).ToArray()),
            ["predictions"] = new JsonArray(r.Predictions.Select(p => (JsonNode)p).ToArray()),
            ["labels"] = new JsonArray(labels.ToArray().Select(l => (JsonNode)l).ToArray()),
            ["seconds"] = Math.Round(r.Seconds, 3),
        };
    }

    /// <summary>The burn-in as one number when every block has the same, else one per block.</summary>
    static JsonNode BurnIn(BlockSchedule schedule) => schedule.HasUniformBurnIn
        ? JsonValue.Create(schedule.BurnIn[0])
        : new JsonArray(schedule.BurnIn.Select(t => (JsonNode)t).ToArray());

    /// <summary>The headline numbers (no per-example arrays).</summary>
    public static JsonObject Summary(JsonObject doc)
    {
        var s = (JsonObject)doc.DeepClone();
        s.Remove("predictions");
        s.Remove("labels");
        long count = Long(s["count"]);
        s["accuracy"] = count == 0 ? 0 : (double)Long(s["correct"]) / count;
        s["top2_accuracy"] = count == 0 ? 0 : (double)Long(s["top2"]) / count;
        return s;
    }

    /// <summary>Merges shard documents of one evaluation; they must agree on everything but the range and cover it without gaps.</summary>
    public static JsonObject Merge(IReadOnlyList<(string Source, JsonObject Doc)> shards)
    {
        ShardDocuments.RequireSame(shards, ["kind", "model", "model_sha256", "dataset", "split", "mode", "samples", "burn_in", "chains", "seed", "tta"], "evaluation");
        // Every shard i/N of one split exactly once: contiguous starts alone would accept a missing first or last shard.
        ShardDocuments.RequireEveryShardOnce(shards);
        var first = shards[0].Doc;
        var ordered = shards.OrderBy(s => Long(s.Doc["start"])).ToList();
        int expect = (int)Long(ordered[0].Doc["start"]);
        var predictions = new JsonArray();
        var labels = new JsonArray();
        long correct = 0, top2 = 0;
        double seconds = 0;
        long[]? updates = null;
        foreach (var (src, d) in ordered)
        {
            int start = (int)Long(d["start"]), count = (int)Long(d["count"]);
            if (start != expect) throw new InvalidDataException($"{src}: starts at example {start}, expected {expect} (a shard is missing or duplicated)");
            expect = start + count;
            foreach (var p in d["predictions"]!.AsArray()) predictions.Add(p!.DeepClone());
            foreach (var l in d["labels"]!.AsArray()) labels.Add(l!.DeepClone());
            correct += Long(d["correct"]);
            top2 += Long(d["top2"]);
            seconds += d["seconds"]?.GetValue<double>() ?? 0;
            var u = d["spin_updates"]!.AsArray().Select(Long).ToArray();
            updates ??= new long[u.Length];
            for (int b = 0; b < u.Length && b < updates.Length; b++) updates[b] += u[b];
        }
        var merged = (JsonObject)first.DeepClone();
        merged["shard"] = "merged";
        merged["start"] = Long(ordered[0].Doc["start"]);
        merged["count"] = predictions.Count;
        merged["correct"] = correct;
        merged["top2"] = top2;
        merged["spin_updates"] = new JsonArray(updates!.Select(v => (JsonNode)v).ToArray());
        merged["predictions"] = predictions;
        merged["labels"] = labels;
        merged["seconds"] = Math.Round(seconds, 3);
        return merged;
    }

    static long Long(JsonNode? n) => ShardDocuments.Long(n);
}
