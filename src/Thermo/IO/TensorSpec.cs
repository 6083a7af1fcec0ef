namespace Thermo.IO;

/// <summary>What a tensor must look like: name, shape and element type.</summary>
public sealed record TensorSpec(string Name, int[] Shape, SafetensorsDType DType = SafetensorsDType.F32)
{
    /// <summary>Shape as "[a, b, c]".</summary>
    public string ShapeString => $"[{string.Join(", ", Shape)}]";

    /// <summary>The spec of a file entry.</summary>
    public static TensorSpec Of(SafetensorsEntry entry) => new(entry.Name, entry.Shape, entry.DType);

    /// <inheritdoc/>
    public override string ToString() => DType == SafetensorsDType.F32 ? $"{Name} {ShapeString}" : $"{Name} {DType}{ShapeString}";
}
