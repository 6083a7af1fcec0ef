using Thermo.Tensors;

namespace Thermo.IO;

/// <summary>
/// One-call load and save of float32 tensor dictionaries in the safetensors format
/// (https://github.com/huggingface/safetensors); <see cref="SafetensorsReader"/> and
/// <see cref="SafetensorsWriter"/> give full control.
/// </summary>
public static class Safetensors
{
    /// <summary>Largest header accepted (the reference implementation's limit), checked before allocation.</summary>
    public const long DefaultMaxHeaderBytes = 100_000_000;

    /// <summary>Reads every tensor as float32 together with the metadata.</summary>
    public static (Dictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Load(string path)
    {
        using var reader = SafetensorsReader.Open(path);
        return (reader.ReadAllTensors(), reader.Metadata);
    }

    /// <summary>Writes float32 tensors and optional metadata atomically.</summary>
    public static void Save(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var writer = new SafetensorsWriter();
        foreach (var (name, t) in tensors) writer.Add(name, t);
        if (metadata is not null) foreach (var (k, v) in metadata) writer.Metadata[k] = v;
        writer.Save(path);
    }

    /// <summary>The dtype stored for .NET element type <typeparamref name="T"/>.</summary>
    public static SafetensorsDType DTypeOf<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? SafetensorsDType.F32
        : typeof(T) == typeof(sbyte) ? SafetensorsDType.I8
        : typeof(T) == typeof(byte) ? SafetensorsDType.U8
        : typeof(T) == typeof(int) ? SafetensorsDType.I32
        : typeof(T) == typeof(long) ? SafetensorsDType.I64
        : typeof(T) == typeof(Half) ? SafetensorsDType.F16
        : typeof(T) == typeof(double) ? SafetensorsDType.F64
        : typeof(T) == typeof(short) ? SafetensorsDType.I16
        : typeof(T) == typeof(ushort) ? SafetensorsDType.U16
        : typeof(T) == typeof(uint) ? SafetensorsDType.U32
        : typeof(T) == typeof(ulong) ? SafetensorsDType.U64
        : throw new NotSupportedException($"no safetensors dtype for {typeof(T).Name}");
}
