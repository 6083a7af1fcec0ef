namespace Thermo.IO;

/// <summary>Sizes and header spellings of <see cref="SafetensorsDType"/>.</summary>
public static class SafetensorsDTypes
{
    /// <summary>Bytes per element.</summary>
    public static int Size(this SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.BOOL or SafetensorsDType.U8 or SafetensorsDType.I8 or SafetensorsDType.F8_E5M2 or SafetensorsDType.F8_E4M3 => 1,
        SafetensorsDType.I16 or SafetensorsDType.U16 or SafetensorsDType.F16 or SafetensorsDType.BF16 => 2,
        SafetensorsDType.I32 or SafetensorsDType.U32 or SafetensorsDType.F32 => 4,
        SafetensorsDType.F64 or SafetensorsDType.I64 or SafetensorsDType.U64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown safetensors dtype"),
    };

    /// <summary>Whether <see cref="SafetensorsReader.ReadFloats(string)"/> can convert this type to float32.</summary>
    public static bool ConvertsToFloat(this SafetensorsDType dtype) => dtype is not (SafetensorsDType.F8_E5M2 or SafetensorsDType.F8_E4M3);

    /// <summary>The header spelling, e.g. "F32".</summary>
    public static string HeaderName(this SafetensorsDType dtype) => dtype.ToString();

    /// <summary>Parses a header spelling (exact, case-sensitive as the format requires).</summary>
    public static bool TryParse(string text, out SafetensorsDType dtype)
    {
        foreach (var d in Enum.GetValues<SafetensorsDType>())
        {
            if (d.ToString() == text) { dtype = d; return true; }
        }
        dtype = default;
        return false;
    }

    /// <summary>All header spellings, for error messages.</summary>
    public static string AllNames => string.Join(", ", Enum.GetNames<SafetensorsDType>());
}
