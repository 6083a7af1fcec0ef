using System.Text.Unicode;
using System.Text.Json;

namespace Thermo.IO;

/// <summary>
/// Parses and validates a safetensors JSON header against the size of the data buffer that follows it.
/// Every check runs before any tensor memory is allocated, so a hostile header costs at most its own size.
/// </summary>
internal static class SafetensorsHeader
{
    internal const string MetadataKey = "__metadata__";

    internal static (List<SafetensorsEntry> Entries, Dictionary<string, string> Metadata) Parse(byte[] header, long bufferLength, string file)
    {
        InvalidDataException Bad(string problem) => new($"safetensors file '{file}': {problem}");

        if (!Utf8.IsValid(header)) throw Bad("header is not valid UTF-8");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw Bad($"header is {JsonInput.Describe(e, 16)}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad($"header must be a JSON object, found {root.ValueKind}");
            var entries = new List<SafetensorsEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            bool sawMetadata = false;
            foreach (var prop in root.EnumerateObject())
            {
                string name = prop.Name;
                if (name == MetadataKey)
                {
                    if (sawMetadata) throw Bad($"duplicate '{MetadataKey}'");
                    sawMetadata = true;
                    ParseMetadata(prop.Value, metadata, Bad);
                    continue;
                }
                if (!seen.Add(name)) throw Bad($"duplicate tensor name '{name}'");
                entries.Add(ParseEntry(name, prop.Value, bufferLength, Bad));
            }
            CheckCoverage(entries, bufferLength, Bad);
            return (entries, metadata);
        }
    }

    static void ParseMetadata(JsonElement value, Dictionary<string, string> metadata, Func<string, InvalidDataException> bad)
    {
        if (value.ValueKind == JsonValueKind.Null) return;
        if (value.ValueKind != JsonValueKind.Object) throw bad($"'{MetadataKey}' must be an object of strings, found {value.ValueKind}");
        foreach (var kv in value.EnumerateObject())
        {
            if (kv.Value.ValueKind != JsonValueKind.String) throw bad($"metadata value '{kv.Name}' must be a string, found {kv.Value.ValueKind}");
            if (!metadata.TryAdd(kv.Name, kv.Value.GetString()!)) throw bad($"duplicate metadata key '{kv.Name}'");
        }
    }

    static SafetensorsEntry ParseEntry(string name, JsonElement value, long bufferLength, Func<string, InvalidDataException> bad)
    {
        if (value.ValueKind != JsonValueKind.Object) throw bad($"tensor '{name}' must be an object, found {value.ValueKind}");
        JsonElement? dtypeEl = null, shapeEl = null, offsetsEl = null;
        foreach (var field in value.EnumerateObject())
        {
            ref JsonElement? slot = ref dtypeEl;
            switch (field.Name)
            {
                case "dtype": slot = ref dtypeEl; break;
                case "shape": slot = ref shapeEl; break;
                case "data_offsets": slot = ref offsetsEl; break;
                default: continue; // unknown fields are tolerated, as by the reference implementation
            }
            if (slot is not null) throw bad($"tensor '{name}' has '{field.Name}' twice");
            slot = field.Value;
        }
        if (dtypeEl is not { ValueKind: JsonValueKind.String } d) throw bad($"tensor '{name}' needs a string 'dtype'");
        string dtypeText = d.GetString()!;
        if (!SafetensorsDTypes.TryParse(dtypeText, out var dtype))
            throw bad($"tensor '{name}' has unknown dtype '{dtypeText}' (known: {SafetensorsDTypes.AllNames})");

        if (shapeEl is not { ValueKind: JsonValueKind.Array } s) throw bad($"tensor '{name}' needs an array 'shape'");
        int rank = s.GetArrayLength();
        if (rank > 64) throw bad($"tensor '{name}' has rank {rank}, more than 64");
        var shape = new int[rank];
        int i = 0;
        bool zero = false;
        foreach (var dim in s.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long v) || v < 0)
                throw bad($"tensor '{name}' shape entry {i} must be a non-negative integer, found {dim.GetRawText()}");
            if (v > int.MaxValue) throw bad($"tensor '{name}' dimension {i} is {v}, larger than {int.MaxValue}");
            shape[i++] = (int)v;
            zero |= v == 0;
        }

        if (offsetsEl is not { ValueKind: JsonValueKind.Array } o || o.GetArrayLength() != 2)
            throw bad($"tensor '{name}' needs 'data_offsets' [begin, end]");
        long begin = Offset(o[0], "begin"), end = Offset(o[1], "end");
        if (begin > end) throw bad($"tensor '{name}' data_offsets [{begin}, {end}] run backwards");
        if (end > bufferLength) throw bad($"tensor '{name}' data_offsets [{begin}, {end}] run past the data buffer of {bufferLength} bytes (file truncated?)");

        // Byte count with an overflow guard; nothing is allocated from it, it is only compared with the offsets.
        long size = dtype.Size(), bytes = end - begin, limit = long.MaxValue / size, count = 1;
        if (!zero)
        {
            foreach (int dim in shape)
            {
                if (count > limit / dim) throw bad($"tensor '{name}' shape [{string.Join(", ", shape)}] of {dtype} has more than 2^63 bytes");
                count *= dim;
            }
        }
        else count = 0;
        if (count * size != bytes)
            throw bad($"tensor '{name}' shape [{string.Join(", ", shape)}] of {dtype} needs {count * size} bytes, data_offsets give {bytes}");
        return new SafetensorsEntry(name, dtype, shape, begin, end);

        long Offset(JsonElement e, string which)
        {
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long v) || v < 0)
                throw bad($"tensor '{name}' data_offsets {which} must be a non-negative integer, found {e.GetRawText()}");
            return v;
        }
    }

    /// <summary>The data buffer must be covered exactly: sorted by offset, each tensor starts where the previous ended.</summary>
    static void CheckCoverage(List<SafetensorsEntry> entries, long bufferLength, Func<string, InvalidDataException> bad)
    {
        entries.Sort(static (a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        SafetensorsEntry? previous = null;
        foreach (var e in entries)
        {
            if (e.Begin < expected) throw bad($"tensors '{previous!.Name}' and '{e.Name}' overlap (bytes {e.Begin}..{expected})");
            if (e.Begin > expected) throw bad($"bytes {expected}..{e.Begin} of the data buffer belong to no tensor (gap before '{e.Name}')");
            expected = e.End;
            previous = e;
        }
        if (expected != bufferLength)
            throw bad($"tensors cover {expected} bytes but the data buffer has {bufferLength} (trailing bytes or truncated file)");
    }
}
