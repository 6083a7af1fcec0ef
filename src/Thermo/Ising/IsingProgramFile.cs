using System.Text.Json.Nodes;
using Thermo.IO;

namespace Thermo.Ising;

/// <summary>
/// Ising program files (<c>thermo.ising-program</c>, version 1): a JSON manifest (layers, coupling blocks, β, δ,
/// colouring, optional recommended schedule) beside a safetensors file with the coupling weights, biases,
/// pinned spins and per-spin colours (see docs/formats.md). Built on <see cref="TensorManifest"/>, so both
/// files are written atomically and every problem on reading names the file.
/// </summary>
public static class IsingProgramFile
{
    /// <summary>Format name in the manifest.</summary>
    public const string FormatName = "thermo.ising-program";
    /// <summary>Highest version written and read.</summary>
    public const int FormatVersion = 1;

    /// <summary>
    /// Writes <paramref name="program"/> to a manifest path ending in .json; <paramref name="schedule"/> is the recommended
    /// schedule as the sampling layer writes it (Sampling's <c>ScheduledProgramFile</c>), stored under "schedule" as given.
    /// With <paramref name="couplings"/> = <see cref="SafetensorsDType.I8"/> every coupling block is stored as 8-bit
    /// integers q with one scale s per block (W = q·s, s = max|W|/127, <see cref="CouplingQuantizer"/>): a quarter of
    /// the bytes, and the file then holds the 8-bit program a machine with int8 couplings runs — the same values
    /// <c>CouplingQuantizer.Quantize(program, 8)</c> gives — not the float one. Biases stay float32.
    /// </summary>
    public static void Save(string manifestPath, IsingProgram program, SafetensorsDType couplings = SafetensorsDType.F32, JsonObject? schedule = null)
    {
        if (couplings is not (SafetensorsDType.F32 or SafetensorsDType.I8))
            throw new ArgumentException($"couplings can be stored as F32 or I8, not {couplings}");
        var writer = new SafetensorsWriter();
        var layers = new JsonArray();
        for (int l = 0; l < program.Layers.Count; l++)
        {
            var layer = program.Layers[l];
            var node = new JsonObject
            {
                ["name"] = layer.Name,
                ["shape"] = new JsonArray(layer.Shape.Select(d => (JsonNode)d).ToArray()),
                ["input"] = layer.IsInput,
            };
            if (program.Bias(l) is { } b)
            {
                string name = $"layers.{l}.bias";
                writer.Add<float>(name, b, layer.Shape);
                node["bias"] = name;
            }
            layers.Add(node);
        }
        var couplingNodes = new JsonArray();
        for (int k = 0; k < program.Couplings.Count; k++)
        {
            string prefix = $"couplings.{k}";
            JsonObject node;
            switch (program.Couplings[k])
            {
                case DenseCoupling d:
                    node = new JsonObject { ["kind"] = "dense", ["lower"] = d.Lower, ["upper"] = d.Upper };
                    AddValues(node, "weight", prefix + ".weight", d.Weight, [program.Layers[d.Upper].Size, program.Layers[d.Lower].Size]);
                    break;
                case ConvCoupling c:
                    node = new JsonObject
                    {
                        ["kind"] = "conv", ["lower"] = c.Lower, ["upper"] = c.Upper, ["kernel"] = c.Kernel, ["stride"] = c.Stride, ["padding"] = c.Padding,
                    };
                    AddValues(node, "weight", prefix + ".weight", c.Weight, [program.Layers[c.Upper].Channels, program.Layers[c.Lower].Channels, c.Kernel, c.Kernel]);
                    break;
                case SparseCoupling s:
                    writer.Add<int>(prefix + ".i", s.I, [s.I.Length]);
                    writer.Add<int>(prefix + ".j", s.J, [s.J.Length]);
                    node = new JsonObject { ["kind"] = "sparse", ["i"] = prefix + ".i", ["j"] = prefix + ".j" };
                    AddValues(node, "value", prefix + ".value", s.Value, [s.Value.Length]);
                    break;
                default:
                    throw new NotSupportedException($"coupling {program.Couplings[k].GetType().Name} cannot be saved");
            }
            couplingNodes.Add(node);
        }

        void AddValues(JsonObject node, string key, string tensor, float[] values, int[] shape)
        {
            node[key] = tensor;
            if (couplings == SafetensorsDType.F32)
            {
                writer.Add<float>(tensor, values, shape);
                return;
            }
            float scale = CouplingQuantizer.Scale(values, 8);
            var q = new sbyte[values.Length];
            for (int i = 0; i < q.Length; i++) q[i] = (sbyte)CouplingQuantizer.Level(values[i], scale, 8);
            writer.Add<sbyte>(tensor, q, shape);
            node["scale"] = scale;
        }
        var content = new JsonObject
        {
            ["beta"] = program.Beta,
            ["delta"] = program.Delta,
            ["spins"] = program.SpinCount,
            ["layers"] = layers,
            ["couplings"] = couplingNodes,
        };
        if (program.PinnedSpins.Length > 0)
        {
            writer.Add<int>("pinned.spins", program.PinnedSpins, [program.PinnedSpins.Length]);
            writer.Add<sbyte>("pinned.values", program.PinnedValues, [program.PinnedValues.Length]);
            content["pinned"] = new JsonObject { ["spins"] = "pinned.spins", ["values"] = "pinned.values" };
        }
        var colouring = program.Colouring;
        if (colouring.Kind == ColouringKind.LayerParity)
            content["colouring"] = new JsonObject
            {
                ["kind"] = "layer-parity",
                ["classes"] = new JsonArray(colouring.LayerClasses.Select(c => (JsonNode)new JsonArray(c.Select(l => (JsonNode)l).ToArray())).ToArray()),
            };
        else
        {
            writer.Add<int>("colouring", colouring.ColourOf, [colouring.ColourOf.Length]);
            content["colouring"] = new JsonObject { ["kind"] = "greedy", ["colours"] = "colouring", ["count"] = colouring.Count };
        }
        if (schedule is not null) content["schedule"] = schedule.DeepClone();
        TensorManifest.Save(manifestPath, FormatName, FormatVersion, content, writer);
    }

    /// <summary>Reads a program and its recommended schedule's JSON, if any; <see cref="InvalidDataException"/> names the file and the problem.</summary>
    public static (IsingProgram Program, JsonObject? Schedule) Load(string manifestPath) => Load(manifestPath, schedule => schedule);

    /// <summary>
    /// Reads a program and its recommended schedule, if any, through <paramref name="readSchedule"/>; an
    /// <see cref="ArgumentException"/> it throws becomes an <see cref="InvalidDataException"/> that names the file.
    /// </summary>
    public static (IsingProgram Program, T? Schedule) Load<T>(string manifestPath, Func<JsonObject, T> readSchedule) where T : class
    {
        using var m = TensorManifest.Open(manifestPath, FormatName, FormatVersion);
        try
        {
            var expected = new List<TensorSpec>();
            float beta = m.Get<float>("beta"), delta = m.Get<float>("delta");
            if (m.Content["layers"] is not JsonArray layerNodes) throw m.Fail("'layers' must be an array");
            var layers = new List<SpinLayer>();
            var biases = new List<float[]?>();
            foreach (var node in layerNodes)
            {
                if (node is not JsonObject o) throw m.Fail("every layer must be an object");
                string name = Str(o, "name");
                var shape = Ints(o, "shape");
                var layer = new SpinLayer(name, shape, o["input"] is JsonValue iv && iv.TryGetValue(out bool isInput) && isInput);
                layers.Add(layer);
                if (o["bias"] is null) { biases.Add(null); continue; }
                string biasName = Str(o, "bias");
                expected.Add(new TensorSpec(biasName, shape));
                biases.Add(ReadFloats(m, biasName, layer.Size));
            }
            if (m.Content["couplings"] is not JsonArray couplingNodes) throw m.Fail("'couplings' must be an array");
            var couplings = new List<Coupling>();
            foreach (var node in couplingNodes)
            {
                if (node is not JsonObject o) throw m.Fail("every coupling must be an object");
                string kind = Str(o, "kind");
                switch (kind)
                {
                    case "dense":
                    {
                        int lo = Int(o, "lower"), up = Int(o, "upper");
                        CheckLayer(lo); CheckLayer(up);
                        string w = Str(o, "weight");
                        int[] shape = [layers[up].Size, layers[lo].Size];
                        couplings.Add(new DenseCoupling(lo, up, ReadCouplingValues(m, o, w, shape, expected)));
                        break;
                    }
                    case "conv":
                    {
                        int lo = Int(o, "lower"), up = Int(o, "upper"), k = Int(o, "kernel");
                        CheckLayer(lo); CheckLayer(up);
                        string w = Str(o, "weight");
                        int[] shape = [layers[up].Channels, layers[lo].Channels, k, k];
                        couplings.Add(new ConvCoupling(lo, up, ReadCouplingValues(m, o, w, shape, expected), k, Int(o, "stride"), Int(o, "padding")));
                        break;
                    }
                    case "sparse":
                    {
                        string i = Str(o, "i"), j = Str(o, "j"), v = Str(o, "value");
                        if (!m.Tensors.TryGetEntry(i, out var ie) || ie.Shape.Length != 1) throw m.Fail($"tensor '{i}' must be a vector of spin indices");
                        int n = ie.Shape[0];
                        m.Require(i, SafetensorsDType.I32, n); m.Require(j, SafetensorsDType.I32, n);
                        expected.Add(new TensorSpec(i, [n], SafetensorsDType.I32));
                        expected.Add(new TensorSpec(j, [n], SafetensorsDType.I32));
                        couplings.Add(new SparseCoupling(m.Tensors.ReadArray<int>(i), m.Tensors.ReadArray<int>(j), ReadCouplingValues(m, o, v, [n], expected)));
                        break;
                    }
                    default: throw m.Fail($"coupling kind '{kind}' is unknown (known: dense, conv, sparse)");
                }
            }
            var pinned = new List<(int, sbyte)>();
            if (m.Content["pinned"] is JsonObject p)
            {
                string s = Str(p, "spins"), v = Str(p, "values");
                if (!m.Tensors.TryGetEntry(s, out var se) || se.Shape.Length != 1) throw m.Fail($"tensor '{s}' must be a vector of spin indices");
                int n = se.Shape[0];
                m.Require(s, SafetensorsDType.I32, n); m.Require(v, SafetensorsDType.I8, n);
                expected.Add(new TensorSpec(s, [n], SafetensorsDType.I32));
                expected.Add(new TensorSpec(v, [n], SafetensorsDType.I8));
                var spins = m.Tensors.ReadArray<int>(s);
                var values = m.Tensors.ReadArray<sbyte>(v);
                for (int k = 0; k < spins.Length; k++) pinned.Add((spins[k], values[k]));
            }
            Colouring? colouring = null;
            if (m.Content["colouring"] is JsonObject c && Str(c, "kind") == "greedy")
            {
                string name = Str(c, "colours");
                int spinCount = layers.Sum(l => l.Size);
                m.Require(name, SafetensorsDType.I32, spinCount);
                expected.Add(new TensorSpec(name, [spinCount], SafetensorsDType.I32));
                colouring = Colouring.FromSpinColours(m.Tensors.ReadArray<int>(name));
            }
            m.Expect(expected);
            var program = new IsingProgram(layers, couplings, biases, beta, delta, pinned, colouring);
            if (m.Content["colouring"] is JsonObject lc)
            {
                string kind = Str(lc, "kind");
                if (kind == "layer-parity")
                {
                    if (program.Colouring.Kind != ColouringKind.LayerParity)
                        throw m.Fail("the file says the colouring is by layer parity, but the couplings do not allow it");
                    CheckLayerClasses(lc, program.Colouring.LayerClasses);
                }
                else if (kind != "greedy") throw m.Fail($"unknown colouring kind '{kind}' (layer-parity or greedy)");
            }
            return (program, m.Content["schedule"] is JsonObject so ? readSchedule(so) : null);

            // The classes the file states must be the ones the couplings give (recomputed above), class by class, in order:
            // the sampler updates the classes in that order, so a file that says otherwise describes another sampler.
            void CheckLayerClasses(JsonObject lc, IReadOnlyList<int[]> actual)
            {
                static string Show(IEnumerable<IEnumerable<int>> classes) => "[" + string.Join(", ", classes.Select(c => "[" + string.Join(", ", c) + "]")) + "]";
                if (lc["classes"] is not JsonArray stated || stated.Any(c => c is not JsonArray a || a.Any(l => l is not JsonValue v || !v.TryGetValue(out int _))))
                    throw m.Fail("colouring \"classes\" must be an array of arrays of layer indices, e.g. [[1, 3], [2]]");
                var classes = stated.Select(c => c!.AsArray().Select(l => l!.GetValue<int>()).ToArray()).ToList();
                if (classes.Count != actual.Count || classes.Zip(actual).Any(p => !p.First.SequenceEqual(p.Second)))
                    throw m.Fail($"colouring classes {Show(classes)} do not match the couplings, which give {Show(actual)} (coupled layers must be in different classes; the classes are updated in this order)");
            }

            void CheckLayer(int l)
            {
                if ((uint)l >= (uint)layers.Count) throw m.Fail($"coupling refers to layer {l}, the file has {layers.Count} layers");
            }
        }
        catch (ArgumentException e)
        {
            throw m.Fail(e.Message);
        }

        string Str(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue(out string? s) ? s : throw m.Fail($"'{key}' must be a string");
        int Int(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue(out int i) ? i : throw m.Fail($"'{key}' must be an integer");
        int[] Ints(JsonObject o, string key) => o[key] is JsonArray a
            ? a.Select(n => n is JsonValue v && v.TryGetValue(out int i) ? i : throw m.Fail($"'{key}' must be an array of integers")).ToArray()
            : throw m.Fail($"'{key}' must be an array of integers");
    }

    /// <summary>A coupling tensor stored as F32, or as I8 levels q with the block's "scale" s (values q·s).</summary>
    static float[] ReadCouplingValues(TensorManifest m, JsonObject node, string name, int[] shape, List<TensorSpec> expected)
    {
        if (!m.Tensors.TryGetEntry(name, out var e)) throw m.Fail($"tensor '{name}' is missing");
        int count = shape.Aggregate(1, (a, b) => a * b);
        bool hasScale = node["scale"] is not null;
        if (e.DType == SafetensorsDType.F32)
        {
            if (hasScale) throw m.Fail($"coupling '{name}' has a 'scale', which only 8-bit (I8) couplings take; the tensor is F32");
            expected.Add(new TensorSpec(name, shape));
            return ReadFloats(m, name, count);
        }
        if (e.DType != SafetensorsDType.I8 || e.ElementCount != count)
            throw m.Fail($"tensor '{name}' is {e.DType}{e.ShapeString}, expected {count} F32 values or I8 levels");
        if (node["scale"] is not JsonValue sv || !sv.TryGetValue(out float scale) || !float.IsFinite(scale) || scale <= 0)
            throw m.Fail($"8-bit coupling '{name}' needs a positive finite 'scale'");
        expected.Add(new TensorSpec(name, shape, SafetensorsDType.I8));
        var q = m.Tensors.ReadArray<sbyte>(name);
        var values = new float[q.Length];
        for (int i = 0; i < q.Length; i++)
        {
            if (q[i] == sbyte.MinValue) throw m.Fail($"8-bit coupling '{name}' holds level -128 at index {i}; levels are symmetric, -127..127");
            values[i] = q[i] * scale;
        }
        return values;
    }

    static float[] ReadFloats(TensorManifest m, string name, int count)
    {
        if (!m.Tensors.TryGetEntry(name, out var e)) throw m.Fail($"tensor '{name}' is missing");
        if (e.DType != SafetensorsDType.F32 || e.ElementCount != count)
            throw m.Fail($"tensor '{name}' is {e.DType}{e.ShapeString}, expected {count} F32 values");
        return m.Tensors.ReadFloats(name);
    }
}
