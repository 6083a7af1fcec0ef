namespace Thermo.IO;

/// <summary>
/// Element types of the safetensors format, spelled as in the file header ("F32", "BF16", …). All of them are
/// recognised (so any valid file validates); <see cref="SafetensorsReader"/> converts every one except the
/// 8-bit floats to float32.
/// </summary>
public enum SafetensorsDType
{
    /// <summary>Boolean, one byte (0 or 1).</summary>
    BOOL,
    /// <summary>Unsigned 8-bit integer.</summary>
    U8,
    /// <summary>Signed 8-bit integer.</summary>
    I8,
    /// <summary>8-bit float, 5 exponent bits (not convertible here).</summary>
    F8_E5M2,
    /// <summary>8-bit float, 4 exponent bits (not convertible here).</summary>
    F8_E4M3,
    /// <summary>Signed 16-bit integer.</summary>
    I16,
    /// <summary>Unsigned 16-bit integer.</summary>
    U16,
    /// <summary>IEEE half precision.</summary>
    F16,
    /// <summary>bfloat16 (the top 16 bits of a float32).</summary>
    BF16,
    /// <summary>Signed 32-bit integer.</summary>
    I32,
    /// <summary>Unsigned 32-bit integer.</summary>
    U32,
    /// <summary>IEEE single precision.</summary>
    F32,
    /// <summary>IEEE double precision.</summary>
    F64,
    /// <summary>Signed 64-bit integer.</summary>
    I64,
    /// <summary>Unsigned 64-bit integer.</summary>
    U64,
}
