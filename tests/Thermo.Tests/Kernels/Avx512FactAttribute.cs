using Thermo.Kernels;

namespace Thermo.Tests.Kernels;

/// <summary>A test of an AVX-512 kernel; skipped on processors without AVX-512F.</summary>
public sealed class Avx512FactAttribute : FactAttribute
{
    public Avx512FactAttribute()
    {
        if (!DotKernel.IsSupported) Skip = "the processor has no AVX-512F";
    }
}
