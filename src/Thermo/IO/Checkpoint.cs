using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Thermo.Nn;
using Thermo.Optim;
using Thermo.Tensors;

namespace Thermo.IO;

/// <summary>
/// Training checkpoints: one safetensors file holding the model's state dict (parameters and buffers by
/// dotted name), the optimiser state under <see cref="OptimizerPrefix"/>, and a JSON document in the
/// "__metadata__" entry <see cref="MetadataKey"/> with the format version, model definition, training state
/// and provenance (docs/formats.md). Written atomically: a crash mid-save leaves the previous checkpoint.
/// </summary>
public static class Checkpoint
{
    /// <summary>Format name stored in the metadata document.</summary>
    public const string FormatName = "thermo.checkpoint";
    /// <summary>Format version written; files with a higher version are refused.</summary>
    public const int FormatVersion = 1;
    /// <summary>"__metadata__" key under which the JSON document is stored.</summary>
    public const string MetadataKey = "thermo.checkpoint";
    /// <summary>Prefix of optimiser state tensors ("optim.features.0.weight.exp_avg").</summary>
    public const string OptimizerPrefix = "optim.";

    /// <summary>Writes <paramref name="model"/>'s state dict, the optimiser state (may be null) and the metadata to <paramref name="path"/>.</summary>
    public static void Save(string path, Module model, IReadOnlyDictionary<string, Tensor>? optimizerState, CheckpointMetadata metadata)
    {
        var writer = new SafetensorsWriter();
        foreach (var (name, t) in model.StateDict())
        {
            if (name.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
                throw new ArgumentException($"model tensor '{name}' starts with the reserved prefix '{OptimizerPrefix}'", nameof(model));
            writer.Add(name, t);
        }
        if (optimizerState is not null)
            foreach (var (name, t) in optimizerState.OrderBy(kv => kv.Key, StringComparer.Ordinal)) writer.Add(OptimizerPrefix + name, t);
        writer.Metadata[MetadataKey] = SerializeMetadata(metadata);
        writer.Save(path);
    }

    /// <summary>Reads a checkpoint written by <see cref="Save"/>.</summary>
    public static CheckpointData Load(string path)
    {
        using var reader = SafetensorsReader.Open(path);
        var (metadata, version) = ParseMetadata(reader, path);
        var model = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var optimizer = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var e in reader.Entries)
        {
            if (e.DType != SafetensorsDType.F32) throw new InvalidDataException($"checkpoint '{path}': tensor '{e.Name}' is {e.DType}, checkpoints hold F32 only");
            var t = reader.ReadTensor(e.Name);
            if (e.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)) optimizer.Add(e.Name[OptimizerPrefix.Length..], t);
            else model.Add(e.Name, t);
        }
        return new CheckpointData { Path = path, Model = model, Optimizer = optimizer, Metadata = metadata, FormatVersion = version };
    }

    /// <summary>Reads only the metadata (the header), without touching the tensor data.</summary>
    public static CheckpointMetadata ReadMetadata(string path)
    {
        using var reader = SafetensorsReader.Open(path);
        return ParseMetadata(reader, path).Metadata;
    }

    /// <summary>
    /// Compares the checkpoint's model tensors with what <paramref name="model"/> expects, by name and shape,
    /// reading only the header. The result lists missing, unexpected and mismatched tensors.
    /// </summary>
    public static TensorSetDiff Compare(string path, Module model)
    {
        using var reader = SafetensorsReader.Open(path);
        ParseMetadata(reader, path);
        return TensorSetDiff.Compare(ExpectedSpecs(model),
            reader.Entries.Where(e => !e.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)).Select(TensorSpec.Of));
    }

    /// <summary>
    /// Loads the checkpoint into <paramref name="model"/> (and <paramref name="optimizer"/> unless null) after
    /// verifying every name and shape; on any difference nothing is changed and one error lists them all.
    /// Returns the metadata so the trainer can resume its position.
    /// </summary>
    public static CheckpointMetadata Restore(string path, Module model, Optimizer? optimizer = null)
    {
        Compare(path, model).ThrowIfAny($"checkpoint '{path}' does not match the model");
        var data = Load(path);
        if (optimizer is not null)
        {
            if (data.Optimizer.Count == 0) throw new InvalidDataException($"checkpoint '{path}' has no optimiser state (pass no optimiser to load the weights only)");
            TensorSetDiff.Compare(optimizer.StateDict().Select(kv => new TensorSpec(kv.Key, kv.Value.Shape)),
                    data.Optimizer.Select(kv => new TensorSpec(kv.Key, kv.Value.Shape)))
                .ThrowIfAny($"checkpoint '{path}': optimiser state does not match the optimiser");
            try
            {
                optimizer.LoadStateDict(data.Optimizer);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"checkpoint '{path}': {e.Message}", e);
            }
        }
        // A NaN or ∞ weight turns every output into NaN, which argmax then reads as class 0: refuse it before the model changes.
        foreach (var (name, tensor) in data.Model)
        {
            var values = tensor.Data;
            for (int i = 0; i < values.Length; i++)
                if (!float.IsFinite(values[i]))
                    throw new InvalidDataException($"checkpoint '{path}': tensor '{name}' holds {values[i]} at index {i}; a model with non-finite weights gives no usable results (the run that wrote it diverged, or the file was changed)");
        }
        model.LoadStateDict(data.Model);
        return data.Metadata;
    }

    static IEnumerable<TensorSpec> ExpectedSpecs(Module model) => model.StateDict().Select(p => new TensorSpec(p.Name, p.Tensor.Shape));

    internal static string SerializeMetadata(CheckpointMetadata metadata)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteNumber("version", FormatVersion);
            w.WritePropertyName("model");
            if (metadata.ModelDefinition is null) w.WriteNullValue();
            else
            {
                try
                {
                    w.WriteRawValue(metadata.ModelDefinition, skipInputValidation: false);
                }
                catch (JsonException e)
                {
                    throw new ArgumentException($"model definition is not valid JSON: {e.Message}", nameof(metadata), e);
                }
            }
            w.WritePropertyName("training");
            // JSON has no NaN or ±∞: a learning rate must be a number, a best metric that is not one is "none yet".
            var t = metadata.Training;
            FiniteJson.Require(t.LearningRate, "the checkpoint's learning rate");
            var training = JsonSerializer.SerializeToNode(t with { BestMetric = t.BestMetric is { } b && double.IsFinite(b) ? b : null, Extra = null },
                CheckpointJsonContext.Default.TrainingState)!.AsObject();
            if (t.Extra is not null) training["extra"] = t.Extra.DeepClone();
            FiniteJson.Write(w, training);
            w.WritePropertyName("provenance");
            JsonSerializer.Serialize(w, metadata.Provenance, CheckpointJsonContext.Default.Provenance);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    static (CheckpointMetadata Metadata, int Version) ParseMetadata(SafetensorsReader reader, string path)
    {
        InvalidDataException Bad(string problem) => new($"checkpoint '{path}': {problem}");
        if (!reader.Metadata.TryGetValue(MetadataKey, out var json))
            throw Bad($"no '{MetadataKey}' metadata: this is a plain safetensors file, not a Thermo checkpoint (load it with Safetensors.Load)");
        try
        {
            using var doc = JsonInput.ParseDocument(json, $"checkpoint '{path}': metadata document", maxDepth: 64);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad("metadata document is not a JSON object");
            if (!root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != FormatName)
                throw Bad($"metadata 'format' must be \"{FormatName}\"");
            if (!root.TryGetProperty("version", out var v) || !v.TryGetInt32(out int version) || version < 1)
                throw Bad("metadata 'version' must be a positive integer");
            if (version > FormatVersion)
                throw Bad($"format version {version} is newer than this Thermo reads ({FormatVersion}); upgrade Thermo");
            string? model = root.TryGetProperty("model", out var m) && m.ValueKind != JsonValueKind.Null ? m.GetRawText() : null;
            var training = root.TryGetProperty("training", out var t) ? t.Deserialize(CheckpointJsonContext.Default.TrainingState) : null;
            var provenance = root.TryGetProperty("provenance", out var p) ? p.Deserialize(CheckpointJsonContext.Default.Provenance) : null;
            return (new CheckpointMetadata { ModelDefinition = model, Training = training ?? new(), Provenance = provenance ?? new() }, version);
        }
        catch (JsonException e)
        {
            throw Bad($"metadata document is invalid: {JsonInput.Describe(e)}");
        }
    }
}
