namespace Thermo.IO;

/// <summary>
/// One tensor as the safetensors header describes it: name, element type, shape and its byte range
/// [<see cref="Begin"/>, <see cref="End"/>) relative to the start of the data buffer (after the header).
/// </summary>
public sealed record SafetensorsEntry(string Name, SafetensorsDType DType, int[] Shape, long Begin, long End)
{
    /// <summary>Number of elements (1 for a scalar, 0 when any dimension is 0).</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (int d in Shape) n *= d;
            return n;
        }
    }

    /// <summary>Bytes of data, End − Begin.</summary>
    public long ByteLength => End - Begin;

    /// <summary>Shape as "[a, b, c]".</summary>
    public string ShapeString => $"[{string.Join(", ", Shape)}]";

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {DType}{ShapeString}";
}
