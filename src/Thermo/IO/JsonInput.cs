using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Thermo.IO;

/// <summary>
/// Reading JSON that a user gave (model definitions, manifests, dimod problems, inputs, shard outputs, reports, run
/// records): one parser and one wording for every reader. A document is checked in one pass before it is built: a key
/// that appears twice in one object is refused naming the key (System.Text.Json would keep either value, or throw
/// deep inside), syntax errors name the line and column and say what is wrong in words, and nothing of the
/// serializer's own text (type names such as System.Int32, "LineNumber", "Change the reader options") reaches the
/// user. Every refusal is an <see cref="InvalidDataException"/> "&lt;source&gt;: &lt;problem&gt;".
/// Typed field reads (Int, Number, Text, Flag) name the key
/// and what was found instead of throwing the serializer's conversion errors.
/// </summary>
public static partial class JsonInput
{
    /// <summary>Nesting depth allowed unless a reader asks for less.</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>Largest JSON file read whole (64 MB).</summary>
    public const long MaxFileBytes = 64L << 20;

    /// <summary>Parses <paramref name="json"/>; null for the literal <c>null</c>.</summary>
    public static JsonNode? Parse(string json, string source, int maxDepth = DefaultMaxDepth) =>
        Parse(Encoding.UTF8.GetBytes(json), source, maxDepth);

    /// <summary>Parses UTF-8 <paramref name="utf8"/>; null for the literal <c>null</c>.</summary>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8, string source, int maxDepth = DefaultMaxDepth)
    {
        Check(utf8, source, maxDepth);
        return JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = maxDepth });
    }

    /// <summary>Parses UTF-8 <paramref name="utf8"/> into a document (read-only, pooled memory: dispose it).</summary>
    public static JsonDocument ParseDocument(ReadOnlyMemory<byte> utf8, string source, int maxDepth = DefaultMaxDepth)
    {
        Check(utf8.Span, source, maxDepth);
        return JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = maxDepth });
    }

    /// <summary>Parses a JSON string held inside another file (safetensors metadata).</summary>
    public static JsonDocument ParseDocument(string json, string source, int maxDepth = DefaultMaxDepth) =>
        ParseDocument(Encoding.UTF8.GetBytes(json), source, maxDepth);

    /// <summary>
    /// Reads and parses file <paramref name="path"/> (at most <see cref="MaxFileBytes"/>); <paramref name="source"/>
    /// names it in errors (default: the path in quotes).
    /// </summary>
    public static JsonNode? ReadFile(string path, string? source = null, int maxDepth = DefaultMaxDepth)
    {
        source ??= $"'{path}'";
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{source} does not exist", path);
        if (info.Length > MaxFileBytes) throw new InvalidDataException($"{source}: {info.Length} bytes, more than the {MaxFileBytes}-byte limit for a JSON file");
        return Parse(File.ReadAllBytes(path), source, maxDepth);
    }

    /// <summary>Reads file <paramref name="path"/>, which must hold a JSON object.</summary>
    public static JsonObject ReadObject(string path, string? source = null, int maxDepth = DefaultMaxDepth) =>
        ReadFile(path, source, maxDepth) as JsonObject ?? throw new InvalidDataException($"{source ?? $"'{path}'"}: expected a JSON object {{...}}");

    // One pass over the tokens: syntax (with the line), depth, and each object's keys.
    static void Check(ReadOnlySpan<byte> utf8, string source, int maxDepth)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = maxDepth, CommentHandling = JsonCommentHandling.Disallow });
        var keys = new Stack<HashSet<string>>();
        bool any = false;
        try
        {
            while (reader.Read())
            {
                any = true;
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject: keys.Push(new HashSet<string>(StringComparer.Ordinal)); break;
                    case JsonTokenType.EndObject: keys.Pop(); break;
                    case JsonTokenType.PropertyName:
                        string name = reader.GetString()!;
                        if (!keys.Peek().Add(name))
                            throw new InvalidDataException($"{source}: key \"{Shorten(name)}\" appears twice in one object (line {Line(utf8, reader.TokenStartIndex)}); keep one of them");
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: {Describe(e, maxDepth)}", e);
        }
        if (!any) throw new InvalidDataException($"{source}: no JSON in it (the file is empty or blank)");
    }

    static long Line(ReadOnlySpan<byte> utf8, long offset) => utf8[..(int)Math.Min(offset, utf8.Length)].Count((byte)'\n') + 1;

    static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";

    /// <summary>
    /// The one wording of a System.Text.Json syntax error: "not valid JSON at line 3, column 7: a trailing comma". The
    /// serializer's own message is not shown: it holds .NET vocabulary ("Change the reader options", "LineNumber") and
    /// bytes of the file.
    /// </summary>
    public static string Describe(JsonException e, int maxDepth = DefaultMaxDepth)
    {
        string at = e.LineNumber is long line ? $" at line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}" : "";
        string m = e.Message;
        // The serializer's "The JSON value could not be converted to System.Int64. Path: $.step": a field of the wrong type.
        var converted = SerializerConversionError().Match(m);
        if (converted.Success)
        {
            string field = e.Path is { Length: > 1 } p ? $"\"{p.TrimStart('$').TrimStart('.')}\"" : "a value";
            return $"{field} must be {Expected(converted.Groups[1].Value)}";
        }
        string what =
            m.Contains("trailing comma", StringComparison.OrdinalIgnoreCase) ? "a trailing comma (JSON allows none)" :
            m.Contains("comment", StringComparison.OrdinalIgnoreCase) ? "a comment (JSON has none)" :
            m.Contains("depth", StringComparison.OrdinalIgnoreCase) && m.Contains("maximum", StringComparison.OrdinalIgnoreCase) ? $"nested more than {maxDepth} levels deep" :
            m.Contains("UTF-8", StringComparison.OrdinalIgnoreCase) ? "text that is not valid UTF-8" :
            m.Contains("after a single JSON value", StringComparison.OrdinalIgnoreCase) ? "more text after the JSON value" :
            m.Contains("end of data", StringComparison.OrdinalIgnoreCase) || m.Contains("depth to be zero", StringComparison.OrdinalIgnoreCase)
                || m.Contains("does not contain any JSON tokens", StringComparison.OrdinalIgnoreCase) ? "the text ends before the JSON is complete (truncated?)" :
            m.Contains("property name", StringComparison.OrdinalIgnoreCase) ? "a key that is not a double-quoted string" :
            m.Contains("escap", StringComparison.OrdinalIgnoreCase) ? "a bad escape sequence in a string" :
            m.Contains("within a JSON string", StringComparison.OrdinalIgnoreCase) || m.Contains("control character", StringComparison.OrdinalIgnoreCase)
                ? "a line break or control character inside a string" :
            m.Contains("number", StringComparison.OrdinalIgnoreCase) ? "a malformed number" :
            m.Contains("invalid start of a", StringComparison.OrdinalIgnoreCase) || m.Contains("expected", StringComparison.OrdinalIgnoreCase)
                ? "something that is not a JSON value here (text needs double quotes; true, false and null are lower case)" :
            "malformed JSON";
        return $"not valid JSON{at}: {what}";
    }

    /// <summary>
    /// A user-facing line for an exception raised while reading JSON: syntax errors as <see cref="Describe"/>, the
    /// serializer's conversion errors ("An element of type 'String' cannot be converted to a 'System.Int32'") as
    /// "expected an integer, found text"; other messages unchanged.
    /// </summary>
    public static string Message(Exception e)
    {
        if (e is JsonException j) return Describe(j);
        var m = ConversionError().Match(e.Message);
        if (m.Success) return $"expected {Expected(m.Groups[2].Value)}, found {Found(m.Groups[1].Value)}";
        var kind = NodeKindError().Match(e.Message);
        if (kind.Success) return $"expected {Found(kind.Groups[1].Value)}, found something else";
        return e.Message;
    }

    /// <summary>True for an exception the serializer raises when a value has the wrong type (to be shown through <see cref="Message"/>).</summary>
    public static bool IsConversionError(Exception e) =>
        e is InvalidOperationException or FormatException or ArgumentException && (ConversionError().IsMatch(e.Message) || NodeKindError().IsMatch(e.Message));

    [GeneratedRegex(@"element of type '(\w+)' cannot be converted to a '([\w.`\[\]]+)'")]
    private static partial Regex ConversionError();

    [GeneratedRegex(@"could not be converted to ([\w.`\[\]]+?)\.? Path")]
    private static partial Regex SerializerConversionError();

    [GeneratedRegex(@"The node must be of type '(\w+)'")]
    private static partial Regex NodeKindError();

    static string Expected(string type)
    {
        string t = type.Replace("System.Nullable`1[", "").TrimEnd(']').Replace("System.", "");
        return t switch
        {
            "Int32" or "Int64" or "Int16" or "UInt32" or "UInt64" or "Byte" or "SByte" => "an integer",
            "Single" or "Double" or "Decimal" => "a number",
            "String" => "text in double quotes",
            "Boolean" => "true or false",
            _ => "another kind of value",
        };
    }

    static string Found(string kind) => kind switch
    {
        "String" => "text",
        "Number" => "a number of another kind (a fraction, or too large)",
        "True" or "False" => "true/false",
        "Null" => "null",
        "Array" or "JsonArray" => "an array",
        "Object" or "JsonObject" => "an object",
        "JsonValue" => "a single value",
        _ => "another kind of value",
    };

    static string Kind(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "text",
            JsonValueKind.Number => v.ToString(),
            JsonValueKind.True or JsonValueKind.False => "true/false",
            _ => "another kind of value",
        },
        _ => "another kind of value",
    };

    /// <summary>
    /// Integer field <paramref name="key"/> of <paramref name="o"/>: <paramref name="fallback"/> when absent or null,
    /// otherwise a whole JSON number within int; "\"key\" must be an integer, found …" otherwise.
    /// </summary>
    public static int? Int(JsonObject o, string key, int? fallback = null)
    {
        var node = o[key];
        if (node is null) return fallback;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int value)) return value;
        if (node is JsonValue w && w.GetValueKind() == JsonValueKind.Number && w.TryGetValue(out double d) && Math.Floor(d) == d && Math.Abs(d) <= int.MaxValue) return (int)d;
        throw new InvalidDataException($"\"{key}\" must be an integer, found {Kind(node)}");
    }

    /// <summary>Number field <paramref name="key"/> (finite); <paramref name="fallback"/> when absent or null.</summary>
    public static double? Number(JsonObject o, string key, double? fallback = null)
    {
        var node = o[key];
        if (node is null) return fallback;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double value) && double.IsFinite(value)) return value;
        throw new InvalidDataException($"\"{key}\" must be a number, found {Kind(node)}");
    }

    /// <summary>Text field <paramref name="key"/>; <paramref name="fallback"/> when absent or null.</summary>
    public static string? Text(JsonObject o, string key, string? fallback = null)
    {
        var node = o[key];
        if (node is null) return fallback;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String) return v.GetValue<string>();
        throw new InvalidDataException($"\"{key}\" must be text in double quotes, found {Kind(node)}");
    }

    /// <summary>Flag field <paramref name="key"/>; <paramref name="fallback"/> when absent or null.</summary>
    public static bool? Flag(JsonObject o, string key, bool? fallback = null)
    {
        var node = o[key];
        if (node is null) return fallback;
        if (node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False) return v.GetValue<bool>();
        throw new InvalidDataException($"\"{key}\" must be true or false, found {Kind(node)}");
    }

    /// <summary>The array item <paramref name="node"/> (of <paramref name="what"/>) as a number.</summary>
    public static double Number(JsonNode? node, string what)
    {
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double value) && double.IsFinite(value)) return value;
        throw new InvalidDataException($"{what} must be a number, found {Kind(node)}");
    }

    /// <summary>The array item <paramref name="node"/> (of <paramref name="what"/>) as an integer.</summary>
    public static int Int(JsonNode? node, string what)
    {
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int value)) return value;
        throw new InvalidDataException($"{what} must be an integer, found {Kind(node)}");
    }

}
