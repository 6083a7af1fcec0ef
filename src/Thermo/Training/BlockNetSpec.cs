using Thermo.IO;
using System.Text.Json.Nodes;
using Thermo.Blocks;

namespace Thermo.Training;

/// <summary>Builds an <see cref="IsingBlockNet"/> from the "ising-blocks" family of <see cref="ModelSpec"/>.</summary>
internal static class BlockNetSpec
{
    public static IsingBlockNet Build(ModelSpec spec)
    {
        var d = spec.Document;
        float delta = Float(d, "delta", 0.5f);
        float[] thresholds = d["binarize"] switch
        {
            null => [0.5f],
            JsonArray a when a.Count > 0 => a.Select((v, i) => (float)JsonInput.Number(v, $"\"binarize\"[{i}]")).ToArray(),
            JsonValue => [(float)JsonInput.Number(d, "binarize")!.Value],
            _ => throw new InvalidDataException("\"binarize\" must be a threshold or a non-empty array of thresholds (thermometer code)"),
        };
        if (thresholds.Any(t => !(t >= 0 && t < 1))) throw new InvalidDataException("\"binarize\" thresholds must be in [0, 1)");
        int population = JsonInput.Int(d, "population") ?? 1;
        if (population is < 1 or > 1024) throw new InvalidDataException($"\"population\" must be from 1 to 1024, got {population}");
        var blocksJson = (JsonArray)d["blocks"]!;
        if (blocksJson.Count == 0) throw new InvalidDataException("\"blocks\" is empty");
        var shape = (int[])spec.Input.Clone();
        shape[0] *= thresholds.Length; // thermometer code: K spin planes per image channel
        var blocks = new List<IsingBlock>();
        for (int b = 0; b < blocksJson.Count; b++)
        {
            string where = $"blocks[{b}]";
            if (blocksJson[b] is not JsonObject bj) throw new InvalidDataException($"{where}: expected an object with \"hidden\" and \"output\"");
            bool last = b == blocksJson.Count - 1;
            try
            {
                var hidden = Coupling(bj["hidden"] as JsonObject ?? throw new InvalidDataException("missing \"hidden\" coupling"), shape, null);
                var output = Coupling(bj["output"] as JsonObject ?? throw new InvalidDataException("missing \"output\" coupling"), hidden.UpperShape,
                    last ? spec.Classes * population : null);
                blocks.Add(new IsingBlock(hidden, output, Float(bj, "delta", delta)));
                shape = output.UpperShape;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or InvalidDataException)
            {
                throw new InvalidDataException($"{where}: {JsonInput.Message(e)}");
            }
        }
        var net = new IsingBlockNet(blocks, spec.Classes, population, thresholds);
        if (d["quantization"] is JsonObject q)
        {
            // Weights in the checkpoint are already folded and masked; rebuild the same structure (mask buffers).
            int bits = JsonInput.Int(q, "bits") ?? 32;
            foreach (var b in blocks)
            {
                b.NormFolded = true;
                b.Hidden.EnableQuantization(bits);
                b.Output.EnableQuantization(bits);
            }
            net.Quantization = (bits, Float(q, "sparsity", 0));
        }
        if (d["objective"] is JsonObject o)
        {
            net.Objective = new BlockObjective
            {
                Samples = Float(o, "samples", 64),
                Iterations = ModelSpec.Int(o, "iterations", 2, 1, MaxIterations),
                PropagateVariance = JsonInput.Flag(o, "variance") ?? true,
                FixedPointWeight = Float(o, "fixed_point", 1),
                MagnitudeWeight = Float(o, "magnitude", 1),
                OutputBound = Float(o, "output_bound", 3),
                HiddenBound = Float(o, "hidden_bound", 1),
                LabelSmoothing = Float(o, "label_smoothing", 0),
            };
            if (!(net.Objective.LabelSmoothing >= 0 && net.Objective.LabelSmoothing < 1))
                throw new InvalidDataException($"\"objective\": \"label_smoothing\" must be in [0, 1), got {net.Objective.LabelSmoothing}");
        }
        return net;
    }

    /// <summary>Most fixed-point iterations of the objective: it converges in a few (the presets use 2), and each costs a forward pass.</summary>
    const int MaxIterations = 100;

    static float Float(JsonObject o, string key, float fallback)
    {
        float value = (float)(JsonInput.Number(o, key) ?? fallback);
        return float.IsFinite(value) ? value : throw new InvalidDataException($"\"{key}\" must be a finite number, got {value}");
    }

    static BlockCoupling Coupling(JsonObject c, int[] lower, int? forcedOut)
    {
        string type = JsonInput.Text(c, "type")?.ToLowerInvariant() ?? throw new InvalidDataException("coupling needs a \"type\" (conv2d or linear)");
        int? outJson = JsonInput.Int(c, "out");
        if (forcedOut is int f && outJson is int o && o != f)
            throw new InvalidDataException($"the last block's output must have classes × population = {f} spins, \"out\" says {o}");
        int outSize = forcedOut ?? outJson ?? throw new InvalidDataException("coupling needs \"out\"");
        if (outSize < 1 || outSize > ModelSpec.MaxActivations) throw new InvalidDataException($"\"out\" must be from 1 to {ModelSpec.MaxActivations}, got {outSize}");
        long inputs = lower.Aggregate(1L, (a, d) => a * d);
        switch (type)
        {
            case "conv2d":
                int k = ModelSpec.Int(c, "kernel", null, 1, ModelSpec.MaxGeometry), s = ModelSpec.Int(c, "stride", 1, 1, ModelSpec.MaxGeometry),
                    p = ModelSpec.Int(c, "padding", 0, 0, ModelSpec.MaxGeometry);
                ModelSpec.CheckSize((long)outSize * lower[0] * k * k, inputs / lower[0] * outSize);
                break;
            case "linear":
                ModelSpec.CheckSize(inputs * outSize, outSize);
                break;
        }
        return type switch
        {
            "conv2d" => new ConvBlockCoupling(lower, outSize, ModelSpec.Int(c, "kernel"), ModelSpec.Int(c, "stride", 1), ModelSpec.Int(c, "padding", 0)),
            "linear" => new DenseBlockCoupling(lower, outSize),
            _ => throw new InvalidDataException($"unknown coupling type '{type}' (conv2d or linear)"),
        };
    }
}
