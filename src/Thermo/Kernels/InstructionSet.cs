namespace Thermo.Kernels;

/// <summary>The SIMD instruction set a kernel runs on (chosen at start-up from what the processor supports).</summary>
public enum InstructionSet
{
    /// <summary>Plain scalar code (no hardware vectors).</summary>
    Scalar,
    /// <summary>Portable <see cref="System.Numerics.Vector{T}"/> code.</summary>
    Vector,
    /// <summary>AVX2 with FMA3 (256-bit).</summary>
    Avx2,
    /// <summary>AVX-512F (512-bit).</summary>
    Avx512,
}
