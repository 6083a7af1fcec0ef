using System.Text.Json;
using System.Text.Json.Nodes;
using Thermo.Data;
using Thermo.IO;
using Thermo.Ising;

namespace Thermo.Blocks;

/// <summary>
/// A compiled network on disk (<c>thermo.ising-network</c>, version 1): a directory holding <c>network.json</c>
/// (name, dataset, input shape and code, normalisation, readout, the block files in order, the source checkpoint's
/// SHA-256) and one Ising program per block (<c>blockK.json</c> + <c>blockK.safetensors</c>, see
/// <see cref="IsingProgramFile"/>). The block programs may store their couplings as 8-bit integers with one scale
/// per tensor; network.json is written last, so a directory without it holds no network. See docs/formats.md.
/// </summary>
public static class CompiledBlockNetFile
{
    /// <summary>Format name in network.json.</summary>
    public const string FormatName = "thermo.ising-network";
    /// <summary>Highest version written and read.</summary>
    public const int FormatVersion = 1;
    /// <summary>The manifest's file name inside the directory.</summary>
    public const string ManifestName = "network.json";

    /// <summary>Writes <paramref name="net"/> into <paramref name="directory"/> (created if needed), couplings as F32 or I8.</summary>
    public static void Save(string directory, CompiledBlockNet net, SafetensorsDType couplings = SafetensorsDType.F32)
    {
        net.Validate();
        Directory.CreateDirectory(directory);
        var blocks = new JsonArray();
        for (int b = 0; b < net.Programs.Count; b++)
        {
            string file = $"block{b}.json";
            IsingProgramFile.Save(Path.Combine(directory, file), net.Programs[b], couplings: couplings);
            blocks.Add(file);
        }
        var doc = new JsonObject
        {
            ["format"] = FormatName,
            ["version"] = FormatVersion,
            ["name"] = net.Name,
            ["dataset"] = net.Dataset,
            ["input"] = Ints(net.InputShape),
            ["thresholds"] = Floats(net.Thresholds),
            ["normalization"] = new JsonObject { ["mean"] = Floats(net.Normalization.Mean), ["std"] = Floats(net.Normalization.Std) },
            ["classes"] = net.Classes,
            ["population"] = net.Population,
            ["couplings"] = couplings.HeaderName(),
            ["blocks"] = blocks,
            ["source_sha256"] = net.Source,
        };
        AtomicFile.WriteAllText(Path.Combine(directory, ManifestName), doc.ToFiniteJsonIndented() + "\n");
    }

    /// <summary>True when <paramref name="path"/> is a compiled network: a directory with network.json, or that file.</summary>
    public static bool IsCompiledNetwork(string path) =>
        Directory.Exists(path) ? File.Exists(Path.Combine(path, ManifestName)) : Path.GetFileName(path) == ManifestName && File.Exists(path);

    /// <summary>Reads a compiled network from its directory (or its network.json); <see cref="InvalidDataException"/> names the file and the problem.</summary>
    public static CompiledBlockNet Load(string path)
    {
        string manifest = Directory.Exists(path) ? Path.Combine(path, ManifestName) : path;
        string directory = Path.GetDirectoryName(Path.GetFullPath(manifest))!;
        if (!File.Exists(manifest)) throw new FileNotFoundException($"compiled network '{path}' not found (expected {ManifestName} in a directory written by `thermo ising compile --network`)");
        InvalidDataException Fail(string what) => new($"compiled network '{manifest}': {what}");
        JsonObject doc = JsonInput.ReadObject(manifest, $"compiled network '{manifest}'");
        if (Str("format") != FormatName) throw Fail($"format must be '{FormatName}'");
        int version = Int("version");
        if (version < 1 || version > FormatVersion) throw Fail($"version {version} is not supported (this Thermo reads up to {FormatVersion})");
        var blockFiles = doc["blocks"] is JsonArray a ? a.Select(n => n is JsonValue v && v.TryGetValue(out string? s) ? s : throw Fail("'blocks' must be an array of file names")).ToArray() : throw Fail("'blocks' must be an array");
        var programs = new List<IsingProgram>();
        foreach (string file in blockFiles)
        {
            if (file != Path.GetFileName(file) || !file.EndsWith(".json", StringComparison.Ordinal))
                throw Fail($"block file '{file}' must be a plain .json file name inside the network's directory");
            programs.Add(IsingProgramFile.Load(Path.Combine(directory, file)).Program);
        }
        var norm = doc["normalization"] as JsonObject ?? throw Fail("'normalization' must be an object with 'mean' and 'std'");
        var net = new CompiledBlockNet(Str("name"), doc["dataset"] is JsonValue dv && dv.TryGetValue(out string? ds) ? ds : null,
            IntArray(doc, "input"), FloatArray(doc, "thresholds"), new Normalization(FloatArray(norm, "mean"), FloatArray(norm, "std")),
            Int("classes"), Int("population"), programs,
            doc["source_sha256"] is JsonValue sv && sv.TryGetValue(out string? sha) ? sha : null);
        try
        {
            net.Validate();
        }
        catch (ArgumentException e)
        {
            throw Fail(e.Message);
        }
        return net;

        string Str(string key) => doc[key] is JsonValue v && v.TryGetValue(out string? s) ? s : throw Fail($"'{key}' must be a string");
        int Int(string key) => doc[key] is JsonValue v && v.TryGetValue(out int i) ? i : throw Fail($"'{key}' must be an integer");
        int[] IntArray(JsonObject o, string key) => o[key] is JsonArray arr
            ? arr.Select(n => n is JsonValue v && v.TryGetValue(out int i) ? i : throw Fail($"'{key}' must be an array of integers")).ToArray()
            : throw Fail($"'{key}' must be an array of integers");
        float[] FloatArray(JsonObject o, string key) => o[key] is JsonArray arr
            ? arr.Select(n => n is JsonValue v && v.TryGetValue(out float f) && float.IsFinite(f) ? f : throw Fail($"'{key}' must be an array of finite numbers")).ToArray()
            : throw Fail($"'{key}' must be an array of numbers");
    }

    static JsonArray Ints(int[] values) => new(values.Select(v => (JsonNode)v).ToArray());
    static JsonArray Floats(float[] values) => new(values.Select(v => (JsonNode)v).ToArray());
}
