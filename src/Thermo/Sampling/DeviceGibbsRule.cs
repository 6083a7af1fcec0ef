using ILGPU.Runtime.Cuda;

namespace Thermo.Sampling;

/// <summary>
/// <see cref="GibbsRule.Update"/> written so that a GPU computes it bit for bit: s = +1 if U·(1 + e^(−2βu)) &lt; 1
/// with U = (word ≫ 8)·2⁻²⁴ and the same Cephes e^x. Three things differ in form, not in value: the five
/// FMAs are the PTX instruction <c>fma.rn.f32</c> on CUDA (IEEE fused multiply-add, as
/// <see cref="MathF.FusedMultiplyAdd"/>) and exact software FMAs elsewhere (the float product is exact in double;
/// the double sum is rounded to odd, then to float, which rounds once), round-half-even is done on the float's
/// bits, and the ±87 clamp uses compares.
/// ILGPU emits plain <c>add.f32</c>/<c>mul.f32</c>, which the PTX assembler may contract into FMAs; nothing here
/// is a float multiply feeding a float add, so there is nothing to contract.
/// </summary>
internal static class DeviceGibbsRule
{
    const float Log2E = 1.44269504088896341f, C1 = 0.693359375f, C2 = -2.12194440e-4f, Clamp = 87f;
    const float P0 = 1.9875691500E-4f, P1 = 1.3981999507E-3f, P2 = 8.3334519073E-3f, P3 = 4.1665795894E-2f, P4 = 1.6666665459E-1f, P5 = 5.0000001201E-1f;
    const float TwoToMinus24 = 1f / 16777216f;

    /// <summary>The heat-bath update (see the class summary).</summary>
    public static sbyte Update(float field, float beta, uint word)
    {
        float e = Exp(-2f * beta * field);
        float u = (word >> 8) * TwoToMinus24;
        return u * (1f + e) < 1f ? (sbyte)1 : (sbyte)-1;
    }

    /// <summary><see cref="GibbsRule.Exp(float)"/>, bit for bit.</summary>
    public static float Exp(float x)
    {
        x = x > Clamp ? Clamp : x < -Clamp ? -Clamp : x;
        int n = RoundHalfEven(x * Log2E);
        float nf = n;
        float r = Fma(nf, -C1, x);
        r = Fma(nf, -C2, r);
        float z = r * r;
        float p = Fma(P0, r, P1);
        p = Fma(p, r, P2);
        p = Fma(p, r, P3);
        p = Fma(p, r, P4);
        p = Fma(p, r, P5);
        float y = Fma(p, z, r) + 1f;
        return y * BitConverter.Int32BitsToSingle((n + 127) << 23);
    }

    /// <summary>round(t) with ties to even, for |t| &lt; 2³⁰, from the bits of t.</summary>
    public static int RoundHalfEven(float t)
    {
        int bits = BitConverter.SingleToInt32Bits(t);
        int exponent = ((bits >> 23) & 0xFF) - 127;
        if (exponent < -1) return 0;                       // |t| < 1/2 (zero and subnormals included)
        int mantissa = (bits & 0x7FFFFF) | 0x800000;        // t = mantissa · 2^(exponent − 23)
        int shift = 23 - exponent;
        int whole;
        if (shift <= 0) whole = mantissa << -shift;
        else
        {
            whole = mantissa >> shift;                      // shift ≤ 24 since exponent ≥ −1
            int rest = mantissa & ((1 << shift) - 1), half = 1 << (shift - 1);
            if (rest > half || (rest == half && (whole & 1) == 1)) whole++;
        }
        return bits < 0 ? -whole : whole;
    }

    /// <summary>a·b + c rounded once to float (IEEE fused multiply-add): one instruction on CUDA, <see cref="SoftwareFma"/> elsewhere.</summary>
    public static float Fma(float a, float b, float c)
    {
        if (CudaAsm.IsSupported)
        {
            // The software form costs ~10 double operations per FMA, and the update has five (~15% of a sweep).
            CudaAsm.Emit("fma.rn.f32 %0, %1, %2, %3;", out float r, a, b, c);
            return r;
        }
        return SoftwareFma(a, b, c);
    }

    /// <summary>a·b + c rounded once to float (IEEE fused multiply-add), without an FMA instruction.</summary>
    public static float SoftwareFma(float a, float b, float c)
    {
        double p = (double)a * b;                           // exact: 24 + 24 bits
        double s = p + c;
        double v = s - p;
        double error = (p - (s - v)) + (c - v);             // TwoSum: p + c = s + error exactly
        if (error != 0)
        {
            long bits = BitConverter.DoubleToInt64Bits(s);
            // Round to odd: an inexact even result moves one ulp towards the exact sum.
            if ((bits & 1) == 0) bits += (error > 0) == (s > 0) ? 1 : -1;
            s = BitConverter.Int64BitsToDouble(bits);
        }
        return (float)s;
    }
}
