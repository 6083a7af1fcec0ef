using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Thermo.IO;

/// <summary>
/// A "JSON manifest + safetensors" pair: the manifest (<c>name.json</c>) says what the artefact is (format,
/// version, domain fields) and declares every tensor (dtype, shape) of the tensor file beside it
/// (<c>name.safetensors</c>), together with that file's SHA-256. Opening validates the manifest, the
/// checksum, the safetensors file, and that the declared and stored tensors agree exactly; every problem is
/// an <see cref="InvalidDataException"/> naming the file. Ising program files and Langevin exports build on this.
/// </summary>
public sealed class TensorManifest : IDisposable
{
    /// <summary>Largest manifest accepted, checked before reading it.</summary>
    public const long MaxManifestBytes = 64L << 20;

    static readonly string[] Reserved = ["format", "version", "tensors_file", "tensors_sha256", "tensors"];

    /// <summary>The manifest file.</summary>
    public string ManifestPath { get; }
    /// <summary>The format name, e.g. "thermo.ising-program".</summary>
    public string Format { get; }
    /// <summary>The format version of the file.</summary>
    public int Version { get; }
    /// <summary>The domain fields: the manifest without the reserved keys (format, version, tensors…).</summary>
    public JsonObject Content { get; }
    /// <summary>The tensors the manifest declares, in manifest order.</summary>
    public IReadOnlyList<TensorSpec> Declared { get; }
    /// <summary>The validated tensor file, open for reading.</summary>
    public SafetensorsReader Tensors { get; }

    TensorManifest(string manifestPath, string format, int version, JsonObject content, List<TensorSpec> declared, SafetensorsReader tensors)
    {
        ManifestPath = manifestPath; Format = format; Version = version; Content = content; Declared = declared; Tensors = tensors;
    }

    /// <summary>The tensor file that goes with a manifest path: same name, extension ".safetensors".</summary>
    public static string TensorsPathFor(string manifestPath) => Path.ChangeExtension(manifestPath, ".safetensors");

    /// <summary>
    /// Writes the pair as a unit: the tensor file (<see cref="TensorsPathFor"/>) and the manifest with
    /// <paramref name="content"/>'s fields, the tensor declarations and the tensor file's checksum are written
    /// under temporary names and replace the old pair through a <see cref="CommitJournal"/>. If anything fails
    /// (a value the JSON writer refuses, a full disk, a crash before the commit record) the old pair is intact;
    /// after the commit record the new pair is complete, even across a crash (the next open finishes it).
    /// </summary>
    public static void Save(string manifestPath, string format, int version, JsonObject content, SafetensorsWriter tensors)
    {
        ArgumentException.ThrowIfNullOrEmpty(format);
        if (version < 1) throw new ArgumentException($"manifest version must be positive, got {version}", nameof(version));
        foreach (var key in Reserved)
            if (content.ContainsKey(key)) throw new ArgumentException($"manifest content may not use the reserved key '{key}'", nameof(content));
        if (!manifestPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"manifest path '{manifestPath}' should end in .json", nameof(manifestPath));
        string tensorsPath = TensorsPathFor(manifestPath);
        using var journal = new CommitJournal(Path.GetDirectoryName(Path.GetFullPath(manifestPath))!);
        string stagedTensors = journal.Stage(tensorsPath);
        tensors.Save(stagedTensors);
        string sha = Provenance.FileSha256(stagedTensors);
        AtomicFile.WriteJson(journal.Stage(manifestPath), w =>
        {
            w.WriteStartObject();
            w.WriteString("format", format);
            w.WriteNumber("version", version);
            foreach (var (key, node) in content)
            {
                w.WritePropertyName(key);
                FiniteJson.Write(w, node);
            }
            w.WriteString("tensors_file", Path.GetFileName(tensorsPath));
            w.WriteString("tensors_sha256", sha);
            w.WriteStartObject("tensors");
            foreach (var spec in tensors.Specs)
            {
                w.WriteStartObject(spec.Name);
                w.WriteString("dtype", spec.DType.HeaderName());
                w.WritePropertyName("shape");
                w.WriteRawValue(spec.ShapeString);   // one line, even in an indented file
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        });
        journal.Commit();
    }

    /// <summary>
    /// Opens and validates a pair. <paramref name="format"/> must match exactly; versions above
    /// <paramref name="maxVersion"/> are refused. With <paramref name="verifyChecksum"/> the tensor file is
    /// hashed and compared with the manifest's "tensors_sha256" (when the manifest has one).
    /// </summary>
    public static TensorManifest Open(string manifestPath, string format, int maxVersion, bool verifyChecksum = true)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        CommitJournal.Recover(directory);
        var before = Stamp(manifestPath);
        try
        {
            return OpenOnce(manifestPath, format, maxVersion, verifyChecksum);
        }
        catch (InvalidDataException)
        {
            // A writer may have committed a new pair between our reads of the manifest and of the tensor file:
            // finish its commit if it is still under way and read once more; a damaged pair fails again.
            if (!CommitJournal.Recover(directory) && Stamp(manifestPath) == before) throw;
            return OpenOnce(manifestPath, format, maxVersion, verifyChecksum);
        }
    }

    static (bool Exists, DateTime Written, long Length) Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (true, info.LastWriteTimeUtc, info.Length) : (false, default, 0);
    }

    static TensorManifest OpenOnce(string manifestPath, string format, int maxVersion, bool verifyChecksum)
    {
        InvalidDataException Bad(string problem) => new($"manifest '{manifestPath}': {problem}");

        var info = new FileInfo(manifestPath);
        if (!info.Exists) throw new FileNotFoundException($"manifest '{manifestPath}' does not exist", manifestPath);
        if (info.Length > MaxManifestBytes) throw Bad($"{info.Length} bytes, more than the {MaxManifestBytes}-byte limit for manifests");
        var bytes = File.ReadAllBytes(manifestPath);
        if (bytes.Length > MaxManifestBytes) throw Bad($"grew to {bytes.Length} bytes while reading");
        if (!Utf8.IsValid(bytes)) throw Bad("not valid UTF-8");
        JsonNode? rootNode = JsonInput.Parse(bytes, $"manifest '{manifestPath}'", maxDepth: 64);
        if (rootNode is not JsonObject root) throw Bad("must be a JSON object");
        try
        {
            string fileFormat = RequireString(root, "format", Bad);
            if (fileFormat != format) throw Bad($"format is \"{fileFormat}\", expected \"{format}\"");
            if (root["version"] is not JsonValue vNode || !vNode.TryGetValue(out int version) || version < 1)
                throw Bad("'version' must be a positive integer");
            if (version > maxVersion) throw Bad($"format version {version} is newer than this Thermo reads ({maxVersion}); upgrade Thermo");

            string tensorsFile = RequireString(root, "tensors_file", Bad);
            if (tensorsFile.Length == 0 || tensorsFile is "." or ".." || tensorsFile.IndexOfAny(['/', '\\', '\0']) >= 0 || Path.IsPathRooted(tensorsFile))
                throw Bad($"'tensors_file' must be a plain file name next to the manifest, got \"{tensorsFile}\"");
            string tensorsPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(manifestPath))!, tensorsFile);
            if (!File.Exists(tensorsPath)) throw Bad($"tensor file '{tensorsPath}' does not exist");

            var declared = ParseDeclarations(root, Bad);
            string? sha = root["tensors_sha256"] is null ? null : RequireString(root, "tensors_sha256", Bad);

            if (verifyChecksum && sha is not null)
            {
                string actual = Provenance.FileSha256(tensorsPath);
                if (!string.Equals(actual, sha, StringComparison.OrdinalIgnoreCase))
                    throw Bad($"tensor file '{tensorsPath}' has checksum {actual}, the manifest expects {sha} (the pair was not written together, or the file was changed)");
            }

            var reader = SafetensorsReader.Open(tensorsPath);
            try
            {
                TensorSetDiff.Compare(declared, reader.Entries.Select(TensorSpec.Of))
                    .ThrowIfAny($"manifest '{manifestPath}' and tensor file '{tensorsPath}' disagree");
                foreach (var key in Reserved) root.Remove(key);
                return new TensorManifest(manifestPath, fileFormat, version, root, declared, reader);
            }
            catch
            {
                reader.Dispose();
                throw;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // JsonNode throws these lazily: duplicate keys (ArgumentException), values of the wrong kind.
            throw Bad($"invalid structure ({e.Message})");
        }
    }

    static List<TensorSpec> ParseDeclarations(JsonObject root, Func<string, InvalidDataException> bad)
    {
        if (root["tensors"] is not JsonObject tensors) throw bad("'tensors' must be an object of {\"dtype\", \"shape\"} declarations");
        var list = new List<TensorSpec>(tensors.Count);
        foreach (var (name, node) in tensors)
        {
            if (node is not JsonObject decl) throw bad($"tensor '{name}' declaration must be an object");
            string dtypeText = RequireString(decl, "dtype", m => bad($"tensor '{name}': {m}"));
            if (!SafetensorsDTypes.TryParse(dtypeText, out var dtype)) throw bad($"tensor '{name}' has unknown dtype '{dtypeText}' (known: {SafetensorsDTypes.AllNames})");
            if (decl["shape"] is not JsonArray shapeNode || shapeNode.Count > 64) throw bad($"tensor '{name}' needs a 'shape' array of at most 64 dimensions");
            var shape = new int[shapeNode.Count];
            for (int i = 0; i < shape.Length; i++)
            {
                if (shapeNode[i] is not JsonValue dv || !dv.TryGetValue(out int d) || d < 0)
                    throw bad($"tensor '{name}' shape entry {i} must be a non-negative 32-bit integer");
                shape[i] = d;
            }
            list.Add(new TensorSpec(name, shape, dtype));
        }
        return list;
    }

    static string RequireString(JsonObject obj, string key, Func<string, InvalidDataException> bad) =>
        obj[key] is JsonValue v && v.TryGetValue(out string? s) ? s : throw bad($"'{key}' must be a string");

    /// <summary>
    /// Checks that the manifest declares exactly <paramref name="expected"/> (names, shapes, dtypes); throws one
    /// error listing every difference. Domain loaders call this after reading the shapes from <see cref="Content"/>.
    /// </summary>
    public void Expect(IEnumerable<TensorSpec> expected) =>
        TensorSetDiff.Compare(expected, Declared).ThrowIfAny($"manifest '{ManifestPath}' does not hold the tensors its content implies");

    /// <summary>The header entry of a tensor that must exist with the given dtype and shape.</summary>
    public SafetensorsEntry Require(string name, SafetensorsDType dtype, params int[] shape)
    {
        if (!Tensors.TryGetEntry(name, out var e)) throw Fail($"tensor '{name}' is missing");
        if (e.DType != dtype || !e.Shape.AsSpan().SequenceEqual(shape))
            throw Fail($"tensor '{name}' is {e.DType}{e.ShapeString}, expected {dtype}[{string.Join(", ", shape)}]");
        return e;
    }

    /// <summary>A required content field converted to <typeparamref name="T"/> (string, int, long, double, bool, …).</summary>
    public T Get<T>(string key)
    {
        if (Content[key] is not JsonValue v) throw Fail($"'{key}' is missing or not a single value");
        return v.TryGetValue(out T? value) && value is not null ? value : throw Fail($"'{key}' must be {Kind<T>()}, found {v.ToFiniteJson(Readable)}");
    }

    static readonly JsonWriterOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    static string Kind<T>() => Type.GetTypeCode(typeof(T)) switch
    {
        TypeCode.String => "a string",
        TypeCode.Boolean => "true or false",
        TypeCode.SByte or TypeCode.Byte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32
            or TypeCode.Int64 or TypeCode.UInt64 => $"an integer that fits {typeof(T).Name}",
        TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "a number",
        _ => $"a {typeof(T).Name}",
    };

    /// <summary>An <see cref="InvalidDataException"/> naming the manifest, for domain loaders' own checks.</summary>
    public InvalidDataException Fail(string problem) => new($"manifest '{ManifestPath}': {problem}");

    /// <summary>Closes the tensor file.</summary>
    public void Dispose() => Tensors.Dispose();
}
