using System.Text.Json;
using System.Text.Json.Nodes;
using Thermo.Sampling;
using Thermo.IO;

namespace Thermo.Cli.Commands;

/// <summary>
/// The output of <c>thermo ising sample</c> (format <c>thermo.ising-sample</c>, version 1): the run's settings,
/// magnetisations ⟨s_i⟩ and pair correlations ⟨s_i s_j⟩, and the exact integer sums behind them, so that
/// <c>thermo merge</c> can add shards and reproduce the unsharded output byte for byte.
/// </summary>
public sealed class IsingSampleReport
{
    /// <summary>Format name.</summary>
    public const string FormatName = "thermo.ising-sample";
    /// <summary>Document kind for <c>thermo merge</c>.</summary>
    public const string Kind = "ising-sample";

    /// <summary>Settings that must agree between shards (program, sampler, seed, schedule, …), in output order.</summary>
    public List<(string Key, JsonNode? Value)> Settings { get; } = new();
    /// <summary>The shard this report covers.</summary>
    public Shard Shard { get; set; } = Shard.All;
    /// <summary>Whether magnetisations are one vector (no input layers) rather than one per input.</summary>
    public bool SingleInput { get; set; }
    /// <summary>The correlated pairs.</summary>
    public (int I, int J)[] Pairs { get; set; } = [];
    /// <summary>Observations (samples × chains) per input.</summary>
    public long[] Count { get; set; } = [];
    /// <summary>Σ s_i per input.</summary>
    public long[][] SpinSums { get; set; } = [];
    /// <summary>Σ s_i s_j per input and pair.</summary>
    public long[][] PairSums { get; set; } = [];

    /// <summary>The JSON document (compact; <see cref="ToJsonObject"/> serialised).</summary>
    public string ToJson() => ToJsonObject().ToFiniteJson();

    /// <summary>The document as a JSON object ("kind" = ising-sample, for <c>thermo merge</c>).</summary>
    public JsonObject ToJsonObject()
    {
        var o = new JsonObject { ["kind"] = Kind, ["format"] = FormatName, ["version"] = 1 };
        foreach (var (key, value) in Settings) o[key] = value?.DeepClone();
        o["shard"] = Shard.ToString();
        o["magnetization"] = SingleInput ? Means(SpinSums[0], Count[0]) : new JsonArray(Enumerable.Range(0, Count.Length).Select(s => (JsonNode)Means(SpinSums[s], Count[s])).ToArray());
        o["correlations"] = SingleInput ? Correlations(0) : new JsonArray(Enumerable.Range(0, Count.Length).Select(s => (JsonNode)Correlations(s)).ToArray());
        o["count"] = new JsonArray(Count.Select(c => (JsonNode)c).ToArray());
        o["spin_sums"] = Rows(SpinSums);
        o["pair_sums"] = Rows(PairSums);
        return o;
    }

    static JsonArray Means(long[] sums, long count) =>
        new(sums.Select(s => count == 0 ? null : (JsonNode)((double)s / count)).ToArray());

    JsonArray Correlations(int slot) =>
        new(Pairs.Select((p, k) => (JsonNode)new JsonArray(p.I, p.J, Count[slot] == 0 ? null : (JsonNode)((double)PairSums[slot][k] / Count[slot]))).ToArray());

    static JsonArray Rows(long[][] rows) => new(rows.Select(r => (JsonNode)new JsonArray(r.Select(v => (JsonNode)v).ToArray())).ToArray());

    /// <summary>Reads a report; <see cref="InvalidDataException"/> names the file and the problem.</summary>
    public static IsingSampleReport Parse(string json, string source)
    {
        JsonObject o;
        o = JsonInput.Parse(json, source) as JsonObject ?? throw new InvalidDataException($"{source}: expected a JSON object");
        return Parse(o, source);
    }

    /// <summary>Reads a report from a parsed document.</summary>
    public static IsingSampleReport Parse(JsonObject o, string source)
    {
        InvalidDataException Bad(string problem) => new($"{source}: {problem}");
        try
        {
            if (o["format"]?.GetValue<string>() != FormatName) throw Bad($"not a {FormatName} file (written by `thermo ising sample`)");
            if (o["version"]?.GetValue<int>() != 1) throw Bad("unsupported version (this Thermo reads version 1)");
            var r = new IsingSampleReport();
            foreach (var (key, value) in o)
                if (key is not ("kind" or "format" or "version" or "shard" or "magnetization" or "correlations" or "count" or "spin_sums" or "pair_sums"))
                    r.Settings.Add((key, value?.DeepClone()));
            r.Shard = Shard.Parse(o["shard"]?.GetValue<string>() ?? throw Bad("'shard' is missing"));
            r.Count = (o["count"] as JsonArray ?? throw Bad("'count' is missing")).Select(n => n!.GetValue<long>()).ToArray();
            r.SpinSums = Rows(o["spin_sums"], "spin_sums");
            r.PairSums = Rows(o["pair_sums"], "pair_sums");
            if (r.SpinSums.Length != r.Count.Length || r.PairSums.Length != r.Count.Length) throw Bad("sums and counts disagree in the number of inputs");
            r.SingleInput = o["magnetization"] is JsonArray m && (m.Count == 0 || m[0] is not JsonArray);
            var corr = o["correlations"] as JsonArray ?? throw Bad("'correlations' is missing");
            var first = r.SingleInput ? corr : corr.Count > 0 ? corr[0] as JsonArray ?? throw Bad("'correlations' must hold one list per input") : new JsonArray();
            r.Pairs = first.Select(n => n is JsonArray t && t.Count == 3 ? (t[0]!.GetValue<int>(), t[1]!.GetValue<int>()) : throw Bad("every correlation must be [i, j, value]")).ToArray();
            foreach (var row in r.PairSums) if (row.Length != r.Pairs.Length) throw Bad("pair sums and correlations disagree in the number of pairs");
            return r;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException)
        {
            throw Bad($"invalid structure ({e.Message})");
        }

        long[][] Rows(JsonNode? node, string name) =>
            (node as JsonArray ?? throw Bad($"'{name}' is missing")).Select(r => (r as JsonArray ?? throw Bad($"'{name}' must hold one list per input")).Select(v => v!.GetValue<long>()).ToArray()).ToArray();
    }

    /// <summary>Adds shards of one run: every shard i/N exactly once, identical settings; the result covers shard 0/1.</summary>
    public static IsingSampleReport Merge(IReadOnlyList<(IsingSampleReport Report, string Source)> shards)
    {
        if (shards.Count == 0) throw new ArgumentException("merge needs at least one shard");
        var first = shards[0].Report;
        int n = first.Shard.Count;
        // A split into n needs n files; checked before allocating anything of size n (the count comes from the file).
        if (n > shards.Count)
            throw new InvalidDataException($"{shards[0].Source}: shard {first.Shard} is from a split into {n}, but only {shards.Count} shard file(s) were given");
        var seen = new string?[n];
        string settings = SettingsText(first);
        foreach (var (r, source) in shards)
        {
            if (r.Shard.Count != n) throw new InvalidDataException($"{source}: shard {r.Shard} is from a split into {r.Shard.Count}, {shards[0].Source} from a split into {n}");
            if (seen[r.Shard.Index] is { } other) throw new InvalidDataException($"{source}: shard {r.Shard} was already given ({other})");
            seen[r.Shard.Index] = source;
            if (SettingsText(r) != settings) throw new InvalidDataException($"{source}: settings differ from {shards[0].Source} (program, sampler, seed, chains or schedule); shards of different runs cannot be merged");
            if (r.Count.Length != first.Count.Length || r.Pairs.Length != first.Pairs.Length || !r.Pairs.SequenceEqual(first.Pairs))
                throw new InvalidDataException($"{source}: inputs or pairs differ from {shards[0].Source}");
        }
        for (int i = 0; i < n; i++)
            if (seen[i] is null) throw new InvalidDataException($"shard {i}/{n} is missing");
        var merged = new IsingSampleReport
        {
            Shard = Shard.All, SingleInput = first.SingleInput, Pairs = first.Pairs,
            Count = new long[first.Count.Length],
            SpinSums = first.SpinSums.Select(r => new long[r.Length]).ToArray(),
            PairSums = first.PairSums.Select(r => new long[r.Length]).ToArray(),
        };
        merged.Settings.AddRange(first.Settings.Select(s => (s.Key, s.Value?.DeepClone())));
        foreach (var (r, _) in shards)
            for (int s = 0; s < r.Count.Length; s++)
            {
                merged.Count[s] += r.Count[s];
                for (int i = 0; i < r.SpinSums[s].Length; i++) merged.SpinSums[s][i] += r.SpinSums[s][i];
                for (int k = 0; k < r.PairSums[s].Length; k++) merged.PairSums[s][k] += r.PairSums[s][k];
            }
        return merged;
    }

    static string SettingsText(IsingSampleReport r) => string.Join("\n", r.Settings.Select(s => s.Key + "=" + (s.Value?.ToFiniteJson() ?? "null")));
}
