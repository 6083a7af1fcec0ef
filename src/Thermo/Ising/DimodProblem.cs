using Thermo.IO;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Thermo.Ising;

/// <summary>
/// The plain dimod-style Ising problem in JSON: <c>{"beta": b, "h": [h_0, …], "J": [[i, j, J_ij], …],
/// "clamped": {"i": ±1, …}}</c> ("beta" defaults to 1, "J" and "clamped" may be omitted; "offset" is ignored and
/// "vartype", if present, must be "SPIN"). It becomes a program with one layer of len(h) spins, one sparse
/// coupling block and the clamped spins pinned. Signs follow this project's energy
/// E(s) = −Σ_{i&lt;j} J_ij s_i s_j − Σ_i h_i s_i (dimod's BQM energy has the opposite sign: negate h and J to convert).
/// </summary>
public static class DimodProblem
{
    /// <summary>Parses <paramref name="json"/>; errors are <see cref="InvalidDataException"/>s naming <paramref name="source"/> and the field.</summary>
    public static IsingProgram Parse(string json, string source)
    {
        InvalidDataException Bad(string problem) => new($"{source}: {problem}");
        JsonNode? root;
        root = JsonInput.Parse(json, source, maxDepth: 16);
        if (root is not JsonObject o) throw Bad("expected a JSON object {\"beta\": b, \"h\": [...], \"J\": [[i, j, J_ij], ...]}");
        try
        {
            foreach (var (key, value) in o)
            {
                if (key is "beta" or "h" or "J" or "clamped" or "offset") continue;
                if (key == "vartype")
                {
                    if (value is JsonValue vt && vt.TryGetValue(out string? t) && t.Equals("SPIN", StringComparison.OrdinalIgnoreCase)) continue;
                    throw Bad("'vartype' must be \"SPIN\" (binary 0/1 problems are not Ising problems)");
                }
                throw Bad($"unknown field '{key}' (expected beta, h, J, clamped)");
            }
            float beta = 1f;
            if (o["beta"] is not null)
                beta = o["beta"] is JsonValue bv && bv.TryGetValue(out double b) ? (float)b : throw Bad("'beta' must be a number");
            if (!(beta > 0) || !float.IsFinite(beta)) throw Bad($"'beta' must be positive and finite, got {beta}");
            if (o["h"] is not JsonArray hNode) throw Bad("'h' must be an array of fields, one per spin");
            if (hNode.Count == 0) throw Bad("'h' is empty: the problem has no spins");
            var h = new float[hNode.Count];
            for (int i = 0; i < h.Length; i++)
                h[i] = hNode[i] is JsonValue v && v.TryGetValue(out double d) && double.IsFinite(d) ? (float)d : throw Bad($"h[{i}] must be a finite number");
            var ii = new List<int>(); var jj = new List<int>(); var vv = new List<float>();
            if (o["J"] is JsonArray jNode)
                for (int k = 0; k < jNode.Count; k++)
                {
                    if (jNode[k] is not JsonArray t || t.Count != 3) throw Bad($"J[{k}] must be a triple [i, j, J_ij]");
                    int i = Index(t[0], $"J[{k}][0]"), j = Index(t[1], $"J[{k}][1]");
                    if (i >= h.Length || j >= h.Length) throw Bad($"J[{k}] couples spins ({i}, {j}), but h has {h.Length} spins");
                    double w = t[2] is JsonValue wv && wv.TryGetValue(out double wd) && double.IsFinite(wd) ? wd : throw Bad($"J[{k}][2] must be a finite number");
                    ii.Add(i); jj.Add(j); vv.Add((float)w);
                }
            else if (o["J"] is not null) throw Bad("'J' must be an array of [i, j, J_ij] triples");
            var pinned = new List<(int, sbyte)>();
            if (o["clamped"] is JsonObject cNode)
                foreach (var (key, node) in cNode)
                {
                    if (!int.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int spin) || spin >= h.Length)
                        throw Bad($"clamped key '{key}' must be a spin index below {h.Length}");
                    int value = node is JsonValue cv && cv.TryGetValue(out int c) ? c : 0;
                    if (value is not (1 or -1)) throw Bad($"clamped spin {key} must be +1 or -1");
                    pinned.Add((spin, (sbyte)value));
                }
            else if (o["clamped"] is not null) throw Bad("'clamped' must be an object {\"i\": ±1}");
            return new IsingProgram([new SpinLayer("spins", [h.Length])], [new SparseCoupling(ii.ToArray(), jj.ToArray(), vv.ToArray())], [h], beta, 1f, pinned);
        }
        catch (ArgumentException e) { throw Bad(e.Message); }
        catch (InvalidOperationException e) { throw Bad($"invalid structure ({JsonInput.Message(e)})"); }

        int Index(JsonNode? n, string what) =>
            n is JsonValue v && v.TryGetValue(out int i) && i >= 0 ? i : throw Bad($"{what} must be a non-negative spin index");
    }

    /// <summary>Reads and parses a file.</summary>
    public static IsingProgram Load(string path) => Parse(File.ReadAllText(path), $"'{path}'");
}
