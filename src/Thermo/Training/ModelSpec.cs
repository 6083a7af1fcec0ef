using System.Text.Json;
using System.Text.Json.Nodes;
using Thermo.Nn;
using Thermo.IO;

namespace Thermo.Training;

/// <summary>
/// A network definition: input shape, class count and a list of layers, stored as JSON so a checkpoint can
/// rebuild its model and users can write custom architectures. Example:
/// <code>
/// {"name": "tiny", "input": [1, 28, 28], "classes": 10, "layers": [
///   {"type": "conv2d", "out": 16, "kernel": 3, "padding": 1}, {"type": "batchnorm"}, {"type": "relu"},
///   {"type": "avgpool", "kernel": 2}, {"type": "flatten"}, {"type": "linear", "out": 10}]}
/// </code>
/// Layer types: conv2d (out, kernel, stride=1, padding=0, groups=1, bias=true), linear (out, bias=true),
/// batchnorm, relu, tanh, hardtanh, sign, avgpool (kernel, stride=kernel), globalavgpool, flatten,
/// dropout (p), residual (body: [layers], shortcut: [layers], optional), maxpool (kernel; digital only,
/// refused by the Ising compiler). Input channels are inferred.
/// <para>
/// With <c>"family": "ising-blocks"</c> the model is an <see cref="Blocks.IsingBlockNet"/> instead:
/// <code>
/// {"name": "mnist-ising", "family": "ising-blocks", "input": [1, 28, 28], "classes": 10,
///  "binarize": 0.5, "delta": 0.5, "population": 10,      (or "binarize": [0.25, 0.5, 0.75]: thermometer code)
///  "blocks": [
///    {"hidden": {"type": "conv2d", "out": 32, "kernel": 3, "padding": 1},
///     "output": {"type": "conv2d", "out": 64, "kernel": 4, "stride": 2, "padding": 1}},
///    {"hidden": {"type": "linear", "out": 256}, "output": {"type": "linear"}}],
///  "objective": {"samples": 64, "iterations": 2, "fixed_point": 1, "magnitude": 1, "output_bound": 3, "hidden_bound": 1}}
/// </code>
/// The last block's output size defaults to classes × population. A block may set its own "delta".
/// </para>
/// </summary>
public sealed class ModelSpec
{
    /// <summary>Model name.</summary>
    public string Name { get; init; } = "model";
    /// <summary>Input shape [C, H, W] (or [features]).</summary>
    public int[] Input { get; init; } = [];
    /// <summary>Number of classes (size of the last layer's output).</summary>
    public int Classes { get; init; }
    /// <summary>Layers as JSON objects (digital family).</summary>
    public JsonArray Layers { get; init; } = new();
    /// <summary>A layer list (digital) or Ising blocks.</summary>
    public ModelFamily Family { get; init; } = ModelFamily.Digital;
    /// <summary>The family as the definition file spells it: "digital" or "ising-blocks".</summary>
    public string FamilyName => Family == ModelFamily.IsingBlocks ? "ising-blocks" : "digital";
    /// <summary>The whole definition as parsed (block family settings live here).</summary>
    public JsonObject Document { get; init; } = new();

    /// <summary>Parses a model definition; errors name the offending layer.</summary>
    public static ModelSpec Parse(string json, string source = "model definition")
    {
        JsonNode? root;
        root = JsonInput.Parse(json, source);
        if (root is not JsonObject o) throw new InvalidDataException($"{source}: expected a JSON object");
        var input = o["input"] as JsonArray ?? throw new InvalidDataException($"{source}: missing \"input\" shape, e.g. [1, 28, 28]");
        string family;
        try { family = JsonInput.Text(o, "family")?.ToLowerInvariant() ?? "digital"; }
        catch (InvalidDataException e) { throw new InvalidDataException($"{source}: {e.Message}"); }
        if (family is not ("digital" or "ising-blocks")) throw new InvalidDataException($"{source}: unknown family '{family}' (known: digital, ising-blocks)");
        var layers = o["layers"] as JsonArray;
        if (family == "digital" && layers is null) throw new InvalidDataException($"{source}: missing \"layers\" array");
        if (family == "ising-blocks" && o["blocks"] is not JsonArray) throw new InvalidDataException($"{source}: an ising-blocks model needs a \"blocks\" array");
        ModelSpec spec;
        try
        {
            spec = new ModelSpec
            {
                Name = JsonInput.Text(o, "name") ?? "model",
                Input = input.Select((v, i) => JsonInput.Int(v, $"\"input\"[{i}]")).ToArray(),
                Classes = JsonInput.Int(o, "classes") ?? throw new InvalidDataException($"{source}: missing \"classes\""),
                Layers = (JsonArray?)layers?.DeepClone() ?? new JsonArray(),
                Family = family == "ising-blocks" ? ModelFamily.IsingBlocks : ModelFamily.Digital,
                Document = (JsonObject)o.DeepClone(),
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException || (e is InvalidDataException && !e.Message.StartsWith(source, StringComparison.Ordinal)))
        {
            throw new InvalidDataException($"{source}: {JsonInput.Message(e)}");
        }
        if (spec.Input.Length is not (1 or 3) || spec.Input.Any(d => d <= 0))
            throw new InvalidDataException($"{source}: \"input\" must be [C, H, W] or [features] with positive sizes");
        if (spec.Input.Aggregate(1L, (a, d) => a * d) > MaxActivations)
            throw new InvalidDataException($"{source}: \"input\" [{string.Join(", ", spec.Input)}] has more than {MaxActivations} values per example");
        if (spec.Classes is < 2 or > MaxClasses) throw new InvalidDataException($"{source}: \"classes\" must be from 2 to {MaxClasses}, got {spec.Classes}");
        spec.Build(); // validates shapes
        return spec;
    }

    /// <summary>Reads a model definition file.</summary>
    public static ModelSpec Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model definition '{path}' not found");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Serialises to indented JSON (the definition as written, plus anything set with <see cref="WithNormalization"/>).</summary>
    public string ToJson() => Document.ToFiniteJsonIndented();

    /// <summary>Input normalisation recorded in the definition ("normalization": {"mean": [...], "std": [...]}), or null.</summary>
    public Data.Normalization? Normalization
    {
        get
        {
            if (Document["normalization"] is not JsonObject n) return null;
            var mean = (n["mean"] as JsonArray)?.Select((v, i) => (float)JsonInput.Number(v, $"model '{Name}': \"normalization\".mean[{i}]")).ToArray();
            var std = (n["std"] as JsonArray)?.Select((v, i) => (float)JsonInput.Number(v, $"model '{Name}': \"normalization\".std[{i}]")).ToArray();
            if (mean is null || std is null || mean.Length == 0 || mean.Length != std.Length)
                throw new InvalidDataException($"model '{Name}': \"normalization\" needs \"mean\" and \"std\" arrays of equal length");
            return new Data.Normalization(mean, std);
        }
    }

    /// <summary>A copy that records coupling quantisation (block networks prepared by <see cref="Blocks.BlockQuantizer"/>).</summary>
    public ModelSpec WithQuantization(int bits, float sparsity)
    {
        var doc = (JsonObject)Document.DeepClone();
        doc["quantization"] = new JsonObject { ["bits"] = bits, ["sparsity"] = sparsity };
        doc["name"] = $"{Name}-{bits}bit{(sparsity > 0 ? $"-sparse{sparsity:0.##}" : "")}";
        return Parse(doc.ToFiniteJson(), Name);
    }

    /// <summary>A copy that records <paramref name="normalization"/> as the input normalisation.</summary>
    public ModelSpec WithNormalization(Data.Normalization normalization)
    {
        var doc = (JsonObject)Document.DeepClone();
        doc["normalization"] = new JsonObject
        {
            ["mean"] = new JsonArray(normalization.Mean.Select(v => (JsonNode)v).ToArray()),
            ["std"] = new JsonArray(normalization.Std.Select(v => (JsonNode)v).ToArray()),
        };
        return Parse(doc.ToFiniteJson(), Name);
    }

    /// <summary>Builds the module (parameters uninitialised: call <see cref="Module.Initialize"/>).</summary>
    public Module Build() => Family == ModelFamily.IsingBlocks ? BlockNetSpec.Build(this) : BuildDigital();

    Sequential BuildDigital()
    {
        var shape = (int[])Input.Clone();
        var net = BuildList(Layers, ref shape, "layers");
        if (shape.Length != 1 || shape[0] != Classes)
            throw new InvalidDataException($"model '{Name}': the last layer outputs [{string.Join(", ", shape)}], expected [{Classes}] (one score per class)");
        return net;
    }

    static Sequential BuildList(JsonArray layers, ref int[] shape, string path)
    {
        var seq = new Sequential();
        for (int i = 0; i < layers.Count; i++)
        {
            string where = $"{path}[{i}]";
            if (layers[i] is not JsonObject l) throw new InvalidDataException($"{where}: expected an object with a \"type\"");
            string type;
            try { type = JsonInput.Text(l, "type")?.ToLowerInvariant() ?? throw new InvalidDataException("missing \"type\""); }
            catch (InvalidDataException e) { throw new InvalidDataException($"{where}: {e.Message}"); }
            try { seq.Add(BuildLayer(type, l, ref shape, where)); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException
                || (e is InvalidDataException && !e.Message.StartsWith(where, StringComparison.Ordinal)))
            {
                throw new InvalidDataException($"{where} ({type}): {JsonInput.Message(e)}");
            }
        }
        return seq;
    }

    /// <summary>Most weights one layer may hold: 2²⁸ floats, 1 GiB (the largest preset has about 10⁶).</summary>
    internal const long MaxWeights = 1L << 28;
    /// <summary>Most values one layer may output per example (2²⁴ floats, 64 MiB; a batch holds many).</summary>
    internal const long MaxActivations = 1L << 24;
    /// <summary>Most classes a model may score.</summary>
    internal const int MaxClasses = 1 << 16;
    /// <summary>Largest kernel, stride or padding: images are at most 4096 pixels a side (DataLimits).</summary>
    internal const int MaxGeometry = 4096;

    /// <summary>The integer <paramref name="key"/> of a layer, refused outside [<paramref name="min"/>, <paramref name="max"/>] with the key named.</summary>
    internal static int Int(JsonObject l, string key, int? fallback = null, int min = int.MinValue, int max = int.MaxValue)
    {
        int value = JsonInput.Int(l, key, fallback) ?? throw new InvalidDataException($"missing \"{key}\"");
        if (value < min || value > max) throw new InvalidDataException($"\"{key}\" must be from {min} to {max}, got {value}");
        return value;
    }

    /// <summary>Refuses a layer whose weights or output would not fit in memory, with the estimate, before anything is allocated.</summary>
    internal static void CheckSize(long weights, long outputs)
    {
        if (weights > MaxWeights)
            throw new InvalidDataException($"needs {weights} weights ({weights * 4.0 / (1 << 30):G3} GiB), more than the {MaxWeights} ({MaxWeights * 4 / (1 << 30)} GiB) a layer may hold");
        if (outputs > MaxActivations)
            throw new InvalidDataException($"outputs {outputs} values per example ({outputs * 4.0 / (1 << 20):G3} MiB), more than {MaxActivations}");
    }

    internal static Module BuildLayer(string type, JsonObject l, ref int[] shape, string where)
    {
        switch (type)
        {
            case "conv2d":
            {
                RequireImage(shape, type);
                int o = Int(l, "out", null, 1, (int)MaxActivations), k = Int(l, "kernel", null, 1, MaxGeometry), s = Int(l, "stride", 1, 1, MaxGeometry),
                    p = Int(l, "padding", 0, 0, MaxGeometry), g = Int(l, "groups", 1, 1, (int)MaxActivations);
                int h = (shape[1] + 2 * p - k) / s + 1, w = (shape[2] + 2 * p - k) / s + 1;
                if (h <= 0 || w <= 0) throw new InvalidDataException($"kernel {k} (stride {s}, padding {p}) does not fit input [{string.Join(", ", shape)}]");
                CheckSize((long)o * (shape[0] / g) * k * k, (long)o * h * w);
                var conv = new Conv2d(shape[0], o, k, s, p, g, JsonInput.Flag(l, "bias") ?? true);
                shape = [o, h, w];
                return conv;
            }
            case "linear":
            {
                int inF = shape.Aggregate(1, (a, b) => a * b), o = Int(l, "out", null, 1, (int)MaxActivations);
                CheckSize((long)inF * o, o);
                shape = [o];
                return new Linear(inF, o, JsonInput.Flag(l, "bias") ?? true);
            }
            case "batchnorm": return new BatchNorm(shape[0]);
            case "relu": return new Relu();
            case "tanh": return new Tanh();
            case "hardtanh": return new HardTanh();
            case "sign": return new SignSte();
            case "dropout": return new Dropout((float)(JsonInput.Number(l, "p") ?? 0.5), (ulong)Int(l, "seed", 0));
            case "flatten":
                shape = [shape.Aggregate(1, (a, b) => a * b)];
                return new Flatten();
            case "avgpool":
            case "maxpool":
            {
                RequireImage(shape, type);
                int k = Int(l, "kernel", null, 1, MaxGeometry), s = Int(l, "stride", k, 1, MaxGeometry);
                int h = (shape[1] - k) / s + 1, w = (shape[2] - k) / s + 1;
                if (k <= 0 || h <= 0 || w <= 0) throw new InvalidDataException($"pool {k} does not fit input [{string.Join(", ", shape)}]");
                shape = [shape[0], h, w];
                return type == "avgpool" ? new AvgPool2d(k, s) : new MaxPool2d(k, s);
            }
            case "globalavgpool":
                RequireImage(shape, type);
                shape = [shape[0]];
                return new GlobalAvgPool();
            case "residual":
            {
                var inShape = (int[])shape.Clone();
                var bodyShape = (int[])shape.Clone();
                var body = BuildList(l["body"] as JsonArray ?? throw new InvalidDataException("missing \"body\" array"), ref bodyShape, where + ".body");
                Module? shortcut = null;
                var scShape = inShape;
                if (l["shortcut"] is JsonArray sc) shortcut = BuildList(sc, ref scShape, where + ".shortcut");
                if (!bodyShape.SequenceEqual(scShape))
                    throw new InvalidDataException($"body outputs [{string.Join(", ", bodyShape)}] but the shortcut gives [{string.Join(", ", scShape)}]");
                shape = bodyShape;
                return new Residual(body, shortcut);
            }
            default:
                throw new InvalidDataException($"unknown layer type '{type}' (known: conv2d, linear, batchnorm, relu, tanh, hardtanh, sign, avgpool, maxpool, globalavgpool, flatten, dropout, residual)");
        }
    }

    static void RequireImage(int[] shape, string type)
    {
        if (shape.Length != 3) throw new InvalidDataException($"{type} needs an image input [C, H, W], got [{string.Join(", ", shape)}] (a flatten or linear came before it?)");
    }
}
