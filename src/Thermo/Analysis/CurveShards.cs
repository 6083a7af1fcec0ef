using System.Globalization;
using System.Text.Json.Nodes;
using Thermo.Blocks;
using Thermo.IO;
using Thermo.Sampling;

namespace Thermo.Analysis;

/// <summary>
/// Accuracy against uniform G (<c>thermo schedule curve</c>) as per-example sums, so that it can run as shards and merge.
/// <para>
/// Every number of a curve is a mean over examples: the pilot's prediction Σ_i P̂_i / N with error √(Σ_i s_i²/K) / N
/// (<see cref="PilotModel.Aggregate"/>) and the measured accuracy Σ_i f_i / N (f_i the correct fraction of example i over
/// the replicates, <see cref="ScheduleOutcome"/>). A shard keeps P̂_i, s_i²/K and f_i of its examples (kind
/// "schedule-curve"); the merge concatenates them in example order and recomputes the points and the large-G laws from
/// the same columns the unsharded run sums, so the two agree bit for bit. Randomness is keyed by global example index; the
/// pilot's intermediate-block chains are keyed by their batch, so shards are whole pilot batches (<see cref="Range"/>).
/// τ_B is the one quantity not summed over examples: every shard uses the τ_B of the whole example set's first pilot
/// batch, and the merge refuses shards that disagree on it.
/// </para>
/// </summary>
public static class CurveShards
{
    /// <summary>The "kind" of a curve document.</summary>
    public const string Kind = "schedule-curve";

    /// <summary>What a curve was computed with: shards merge only when all of it agrees.</summary>
    public sealed record Settings(string Model, string Dataset, int Blocks, int[] Uniform, int BurnIn, int PilotSamples, int Draws, ulong Seed,
        int Replicates, bool PredictOnly, int PoolChains);

    /// <summary>Per example, one column per uniform G: P̂_i, s_i²/K and (unless predict-only) the measured correct fraction f_i.</summary>
    public sealed record Columns(double[][] PredictedMean, double[][] PredictedVariance, double[][]? Measured)
    {
        /// <summary>Examples in the columns.</summary>
        public int Examples => PredictedMean.Length == 0 ? 0 : PredictedMean[0].Length;
    }

    /// <summary>
    /// Examples [start, end) of <paramref name="shard"/> out of <paramref name="examples"/>: a contiguous run of whole pilot
    /// batches of <paramref name="batch"/> examples, so that every batch meets the same chains as in the unsharded run.
    /// </summary>
    public static (int Start, int End) Range(Shard shard, int examples, int batch)
    {
        shard.Validate();
        int batches = (examples + batch - 1) / batch;
        if (shard.Count > batches)
            throw new ArgumentException($"--shard {shard}: {examples} examples make {batches} pilot batch{(batches == 1 ? "" : "es")} of {batch}; split them into at most {batches} shards");
        var (a, b) = shard.Range(batches);
        return (a * batch, Math.Min(b * batch, examples));
    }

    /// <summary>Replicate runs at uniform G: max(1, R/G) (long runs need fewer).</summary>
    public static int ReplicatesAt(int g, int replicates) => Math.Max(1, replicates / g);

    /// <summary>The curve's points from its columns; <paramref name="costs"/> are the spin updates per example of each uniform G.</summary>
    public static List<CurvePoint> Points(Settings settings, IReadOnlyList<double> costs, Columns columns)
    {
        var points = new List<CurvePoint>(settings.Uniform.Length);
        for (int j = 0; j < settings.Uniform.Length; j++)
        {
            int g = settings.Uniform[j];
            var (a, e) = PilotModel.Aggregate(columns.PredictedMean[j], columns.PredictedVariance[j], settings.PoolChains);
            var schedule = BlockSchedule.Uniform(settings.Blocks, g, settings.BurnIn);
            double measured = double.NaN, measuredError = double.NaN;
            if (columns.Measured is { } m)
            {
                var outcome = new ScheduleOutcome(schedule, costs[j], m[j], ReplicatesAt(g, settings.Replicates));
                (measured, measuredError) = (outcome.Accuracy, outcome.StandardError);
            }
            points.Add(new CurvePoint(schedule, costs[j], a, e, measured, measuredError));
        }
        return points;
    }

    /// <summary>The large-G laws fitted to the measured points with G ≥ 8: acc(∞) − K/G (three points or more) and acc(∞) − K·G^−γ (four or more).</summary>
    public static (AccuracyLaw? InverseG, AccuracyLaw? FreeExponent) Laws(IReadOnlyList<CurvePoint> points)
    {
        var fit = points.Where(x => !double.IsNaN(x.Measured) && x.Schedule.Samples[0] >= 8).ToList();
        var g = fit.Select(x => (double)x.Schedule.Samples[0]).ToList();
        var acc = fit.Select(x => x.Measured).ToList();
        return (fit.Count >= 3 ? AccuracyLaw.Fit(g, acc, null, 1, 8) : null, fit.Count >= 4 ? AccuracyLaw.FitExponent(g, acc, null, 8) : null);
    }

    /// <summary>The curve's headline numbers (what <c>schedule curve --json</c> prints).</summary>
    public static JsonObject Summary(string model, int examples, double tau, long pilotSpinUpdates, IReadOnlyList<CurvePoint> points)
    {
        var (law, free) = Laws(points);
        return new JsonObject
        {
            ["model"] = model, ["examples"] = examples, ["tau_last_block"] = tau, ["pilot_spin_updates"] = pilotSpinUpdates,
            ["points"] = new JsonArray(points.Select(x => (JsonNode)new JsonObject
            {
                ["samples"] = x.Schedule.Samples[0], ["spin_updates"] = x.Cost, ["predicted"] = x.Predicted, ["predicted_se"] = x.PredictedError,
                ["measured"] = double.IsNaN(x.Measured) ? null : x.Measured, ["measured_se"] = double.IsFinite(x.MeasuredError) ? x.MeasuredError : null,
            }).ToArray()),
            ["law_inverse_g"] = law is null ? null : new JsonObject { ["asymptote"] = law.Asymptote, ["k"] = law.K, ["c"] = law.C(tau), ["rms"] = law.Rms },
            ["law_free_exponent"] = free is null ? null : new JsonObject { ["asymptote"] = free.Asymptote, ["k"] = free.K, ["gamma"] = free.Gamma, ["rms"] = free.Rms },
        };
    }

    /// <summary>The document of one shard (or, with shard "merged", of a whole set): the settings, the summary and the columns.</summary>
    public static JsonObject ToJson(Settings settings, string shard, int start, double tau, long pilotSpinUpdates, IReadOnlyList<double> costs, Columns columns)
    {
        var doc = new JsonObject
        {
            ["kind"] = Kind, ["model"] = settings.Model, ["dataset"] = settings.Dataset, ["blocks"] = settings.Blocks,
            ["uniform"] = new JsonArray(settings.Uniform.Select(g => (JsonNode)g).ToArray()), ["burn_in"] = settings.BurnIn, ["pilot_samples"] = settings.PilotSamples,
            ["draws"] = settings.Draws, ["seed"] = settings.Seed, ["replicates"] = settings.Replicates, ["predict_only"] = settings.PredictOnly,
            ["pool_chains"] = settings.PoolChains, ["shard"] = shard, ["start"] = start,
        };
        foreach (var (key, value) in Summary(settings.Model, columns.Examples, tau, pilotSpinUpdates, Points(settings, costs, columns)))
            if (key != "model") doc[key] = value?.DeepClone();
        doc["per_example"] = new JsonObject
        {
            ["predicted"] = new JsonArray(columns.PredictedMean.Select(c => (JsonNode)Numbers(c)).ToArray()),
            ["predicted_variance"] = new JsonArray(columns.PredictedVariance.Select(c => (JsonNode)Numbers(c)).ToArray()),
            ["measured"] = columns.Measured is null ? null : new JsonArray(columns.Measured.Select(c => (JsonNode)Numbers(c)).ToArray()),
        };
        return doc;
    }

    /// <summary>
    /// Merges the shard documents of one curve into the document of the unsharded run (shard "merged"): they must agree on
    /// the settings and τ_B, and cover every shard i/N exactly once.
    /// </summary>
    public static JsonObject Merge(IReadOnlyList<(string Source, JsonObject Doc)> shards)
    {
        ShardDocuments.RequireSame(shards, ["kind", "model", "dataset", "blocks", "uniform", "burn_in", "pilot_samples", "draws", "seed", "replicates",
            "predict_only", "pool_chains", "tau_last_block"], "curve");
        ShardDocuments.RequireEveryShardOnce(shards);
        var first = shards[0].Doc;
        var settings = SettingsOf(first);
        var ordered = shards.OrderBy(s => Int(s.Doc["start"])).ToList();
        int columnsCount = settings.Uniform.Length, expect = Int(ordered[0].Doc["start"]);
        var mean = Enumerable.Range(0, columnsCount).Select(_ => new List<double>()).ToArray();
        var variance = Enumerable.Range(0, columnsCount).Select(_ => new List<double>()).ToArray();
        var measured = settings.PredictOnly ? null : Enumerable.Range(0, columnsCount).Select(_ => new List<double>()).ToArray();
        long updates = 0;
        foreach (var (src, d) in ordered)
        {
            int start = Int(d["start"]), count = Int(d["examples"]);
            if (start != expect) throw new InvalidDataException($"{src}: starts at example {start}, expected {expect} (a shard is missing or duplicated)");
            expect = start + count;
            var columns = ColumnsOf(src, d, settings);
            if (columns.Examples != count) throw new InvalidDataException($"{src}: holds {columns.Examples} examples' columns but says \"examples\": {count}");
            for (int j = 0; j < columnsCount; j++)
            {
                mean[j].AddRange(columns.PredictedMean[j]);
                variance[j].AddRange(columns.PredictedVariance[j]);
                measured?[j].AddRange(columns.Measured![j]);
            }
            updates += Long(d["pilot_spin_updates"]);
        }
        var costs = first["points"]!.AsArray().Select(p => p!["spin_updates"]!.GetValue<double>()).ToArray();
        var merged = new Columns(mean.Select(c => c.ToArray()).ToArray(), variance.Select(c => c.ToArray()).ToArray(), measured?.Select(c => c.ToArray()).ToArray());
        return ToJson(settings, "merged", Int(ordered[0].Doc["start"]), first["tau_last_block"]!.GetValue<double>(), updates, costs, merged);
    }

    static Settings SettingsOf(JsonObject d) => new(
        d["model"]!.GetValue<string>(), d["dataset"]!.GetValue<string>(), Int(d["blocks"]), d["uniform"]!.AsArray().Select(Int).ToArray(),
        Int(d["burn_in"]), Int(d["pilot_samples"]), Int(d["draws"]), ulong.Parse(d["seed"]!.ToFiniteJson(), CultureInfo.InvariantCulture),
        Int(d["replicates"]), d["predict_only"]!.GetValue<bool>(), Int(d["pool_chains"]));

    static Columns ColumnsOf(string src, JsonObject d, Settings settings)
    {
        var per = d["per_example"] as JsonObject ?? throw new InvalidDataException($"{src}: \"per_example\" is missing");
        double[][] Read(string key)
        {
            var cols = per[key]?.AsArray() ?? throw new InvalidDataException($"{src}: \"per_example.{key}\" is missing");
            if (cols.Count != settings.Uniform.Length) throw new InvalidDataException($"{src}: \"per_example.{key}\" has {cols.Count} columns for {settings.Uniform.Length} values of G");
            var result = cols.Select(c => c!.AsArray().Select(v => v!.GetValue<double>()).ToArray()).ToArray();
            if (result.Any(c => c.Length != result[0].Length)) throw new InvalidDataException($"{src}: the columns of \"per_example.{key}\" differ in length");
            return result;
        }
        var measured = settings.PredictOnly ? null : Read("measured");
        return new Columns(Read("predicted"), Read("predicted_variance"), measured);
    }

    static JsonArray Numbers(IEnumerable<double> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    static int Int(JsonNode? n) => checked((int)ShardDocuments.Long(n));

    static long Long(JsonNode? n) => ShardDocuments.Long(n);
}
