using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Thermo.IO;

/// <summary>
/// The one place where numbers enter JSON. JSON has no NaN or ±∞ (RFC 8259 §6): System.Text.Json throws on them
/// and the "NaN"/"Infinity" strings of its named literals are strings, not numbers, to every other reader. So every
/// JSON document Thermo writes (reports, manifests, checkpoints, <c>--json</c> output) passes its numbers through
/// here: a non-finite value becomes <c>null</c> (<see cref="WriteNumber(Utf8JsonWriter, double)"/>,
/// <see cref="Write"/>, <see cref="ToFiniteJson"/>), or is refused where a number is required (<see cref="Require"/>).
/// A caller that knows why a value is missing writes the reason beside it.
/// </summary>
public static class FiniteJson
{
    /// <summary>Writes <paramref name="value"/>, or null when it is NaN or ±∞.</summary>
    public static void WriteNumber(Utf8JsonWriter w, double value)
    {
        if (double.IsFinite(value)) w.WriteNumberValue(value);
        else w.WriteNullValue();
    }

    /// <summary>Writes the property <paramref name="name"/>: <paramref name="value"/>, or null when it is NaN or ±∞.</summary>
    public static void WriteNumber(Utf8JsonWriter w, string name, double value)
    {
        w.WritePropertyName(name);
        WriteNumber(w, value);
    }

    /// <summary>A JSON node for <paramref name="value"/>: null when it is NaN or ±∞.</summary>
    public static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    /// <summary>Writes <paramref name="node"/> with every non-finite float or double value as null.</summary>
    public static void Write(Utf8JsonWriter w, JsonNode? node)
    {
        switch (node)
        {
            case null: w.WriteNullValue(); break;
            case JsonObject obj:
                w.WriteStartObject();
                foreach (var (key, child) in obj)
                {
                    w.WritePropertyName(key);
                    Write(w, child);
                }
                w.WriteEndObject();
                break;
            case JsonArray array:
                w.WriteStartArray();
                foreach (var child in array) Write(w, child);
                w.WriteEndArray();
                break;
            case JsonValue value:
                if (IsNonFinite(value)) w.WriteNullValue();
                else value.WriteTo(w);
                break;
        }
    }

    /// <summary>Whether a JSON value holds a float or double that JSON cannot represent.</summary>
    public static bool IsNonFinite(JsonValue value) =>
        value.TryGetValue(out double d) && !double.IsFinite(d) || value.TryGetValue(out float f) && !float.IsFinite(f);

    /// <summary><paramref name="node"/> as JSON text (compact unless <paramref name="options"/> say otherwise), non-finite numbers as null.</summary>
    public static string ToFiniteJson(this JsonNode? node, JsonWriterOptions options = default)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, options)) Write(w, node);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Indented JSON text of <paramref name="node"/>, non-finite numbers as null.</summary>
    public static string ToFiniteJsonIndented(this JsonNode? node) => node.ToFiniteJson(new JsonWriterOptions { Indented = true });

    /// <summary>
    /// <paramref name="value"/> when it is finite; otherwise an <see cref="ArgumentException"/> naming <paramref name="what"/>,
    /// for fields whose format has no empty value.
    /// </summary>
    public static double Require(double value, string what) =>
        double.IsFinite(value) ? value : throw new ArgumentException($"{what} is {value}, and JSON has no non-finite numbers");
}
