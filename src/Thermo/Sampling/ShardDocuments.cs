using System.Globalization;
using System.Text.Json.Nodes;
using Thermo.IO;

namespace Thermo.Sampling;

/// <summary>
/// The checks every merge of shard outputs makes before it combines them (<c>thermo merge</c>): the documents describe
/// one run (the same settings), and every shard i/N of one split appears exactly once, so that nothing is merged from a
/// partial set.
/// </summary>
public static class ShardDocuments
{
    /// <summary>Throws unless every document has the first one's value at each of <paramref name="keys"/>.</summary>
    public static void RequireSame(IReadOnlyList<(string Source, JsonObject Doc)> shards, IEnumerable<string> keys, string what)
    {
        if (shards.Count == 0) throw new ArgumentException("nothing to merge");
        var first = shards[0].Doc;
        foreach (var (src, d) in shards)
            foreach (var key in keys)
                if (!JsonNode.DeepEquals(d[key], first[key]))
                    throw new InvalidDataException($"{src}: \"{key}\" is {d[key]?.ToFiniteJson() ?? "null"}, {shards[0].Source} has {first[key]?.ToFiniteJson() ?? "null"}: not shards of one {what}");
    }

    /// <summary>Throws unless the documents are the shards 0/N … (N−1)/N of one split, each exactly once.</summary>
    public static void RequireEveryShardOnce(IReadOnlyList<(string Source, JsonObject Doc)> shards)
    {
        if (shards.Count == 0) throw new ArgumentException("nothing to merge");
        int n = ShardOf(shards[0].Source, shards[0].Doc).Count;
        var seen = new Dictionary<int, string>();
        foreach (var (src, d) in shards)
        {
            var shard = ShardOf(src, d);
            if (shard.Count != n) throw new InvalidDataException($"{src}: shard {shard} is from a split into {shard.Count}, {shards[0].Source} from a split into {n}");
            if (!seen.TryAdd(shard.Index, src)) throw new InvalidDataException($"{src}: shard {shard} was already given ({seen[shard.Index]})");
        }
        for (int i = 0; i < n; i++)
            if (!seen.ContainsKey(i)) throw new InvalidDataException($"shard {i}/{n} is missing");
    }

    /// <summary>The document's "shard" (i/N).</summary>
    public static Shard ShardOf(string src, JsonObject doc)
    {
        string text = doc["shard"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new InvalidDataException($"{src}: \"shard\" is missing or not a string");
        try { return Shard.Parse(text); }
        catch (ArgumentException) { throw new InvalidDataException($"{src}: \"shard\" is '{text}', expected i/N (0 ≤ i < N)"); }
    }

    /// <summary>A whole number a shard output must hold.</summary>
    public static long Long(JsonNode? n) => n is null
        ? throw new InvalidDataException("a shard output lacks a required number")
        : long.Parse(n.ToFiniteJson(), NumberStyles.Integer, CultureInfo.InvariantCulture);
}
