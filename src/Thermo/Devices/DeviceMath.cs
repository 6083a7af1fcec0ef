using ILGPU.Runtime.Cuda;

namespace Thermo.Devices;

/// <summary>
/// Float functions that compile the same on every ILGPU accelerator without ILGPU.Algorithms: e^x and ln x by range
/// reduction and minimax polynomials (Cephes expf/logf, about 1 ulp), tanh from e^(−2|x|), sin/cos of a Box–Muller
/// angle, and √x (PTX <c>sqrt.rn.f32</c> on CUDA, the IEEE square root, so it equals <see cref="MathF.Sqrt"/>).
/// None of them is bit-identical to .NET's <see cref="MathF"/> (e^x and ln x to within a few ulp), which is why device
/// training agrees with the CPU engine within a float tolerance rather than bit for bit.
/// </summary>
internal static class DeviceMath
{
    /// <summary>√x, correctly rounded.</summary>
    public static float Sqrt(float x)
    {
        if (CudaAsm.IsSupported)
        {
            CudaAsm.Emit("sqrt.rn.f32 %0, %1;", out float r, x);
            return r;
        }
        return MathF.Sqrt(x);
    }

    /// <summary>e^x for x in [−87.3, 88.7] (clamped outside: 0 below, +∞ above).</summary>
    public static float Exp(float x)
    {
        if (x > 88.72f) return float.PositiveInfinity;
        if (x < -87.33f) return 0f;
        float n = Round(x * 1.44269504088896341f);
        // x − n·ln 2 in two parts (Cody–Waite), so the reduced argument keeps its low bits.
        float r = x - n * 0.693359375f;
        r -= n * -2.12194440e-4f;
        float p = 1.9875691500e-4f;
        p = p * r + 1.3981999507e-3f;
        p = p * r + 8.3334519073e-3f;
        p = p * r + 4.1665795894e-2f;
        p = p * r + 1.6666665459e-1f;
        p = p * r + 5.0000001201e-1f;
        float e = p * r * r + r + 1f;
        int k = (int)n;
        // 2^k as a float's exponent field; k in [−126, 127] after the clamps above, split in two for the edges.
        int k1 = k / 2, k2 = k - k1;
        return e * BitConverter.Int32BitsToSingle((k1 + 127) << 23) * BitConverter.Int32BitsToSingle((k2 + 127) << 23);
    }

    /// <summary>ln x for x &gt; 0 (normal floats).</summary>
    public static float Log(float x)
    {
        int bits = BitConverter.SingleToInt32Bits(x);
        int e = ((bits >> 23) & 0xFF) - 126;
        float m = BitConverter.Int32BitsToSingle((bits & 0x007FFFFF) | 0x3F000000); // m in [0.5, 1)
        if (m < 0.707106781186547524f) { e--; m = m + m - 1f; }
        else m -= 1f;
        float z = m * m;
        float y = 7.0376836292e-2f;
        y = y * m - 1.1514610310e-1f;
        y = y * m + 1.1676998740e-1f;
        y = y * m - 1.2420140846e-1f;
        y = y * m + 1.4249322787e-1f;
        y = y * m - 1.6668057665e-1f;
        y = y * m + 2.0000714765e-1f;
        y = y * m - 2.4999993993e-1f;
        y = y * m + 3.3333331174e-1f;
        y *= m * z;
        float fe = e;
        y += -2.12194440e-4f * fe;
        y += -0.5f * z;
        return m + y + 0.693359375f * fe;
    }

    /// <summary>tanh x = sign(x)·(1 − e^(−2|x|))/(1 + e^(−2|x|)); odd polynomial below |x| = 0.625 (Cephes tanhf).</summary>
    public static float Tanh(float x)
    {
        float a = x < 0 ? -x : x;
        if (a < 0.625f)
        {
            float z = x * x;
            float p = -5.70498872745e-3f;
            p = p * z + 2.06390887954e-2f;
            p = p * z - 5.37397155531e-2f;
            p = p * z + 1.33314422036e-1f;
            p = p * z - 3.33332819422e-1f;
            return x + x * z * p;
        }
        if (a > 9.1f) return x < 0 ? -1f : 1f;
        float t = Exp(-2f * a);
        float y = (1f - t) / (1f + t);
        return x < 0 ? -y : y;
    }

    /// <summary>(sin θ, cos θ) for θ in [0, 2π] (the Box–Muller angle): reduced to [−π/4, π/4] by quadrant.</summary>
    public static void SinCos(float theta, out float sin, out float cos)
    {
        float q = Round(theta * 0.636619772367581343f); // θ / (π/2)
        float r = theta - q * 1.5703125f;
        r -= q * 4.83751297e-4f;
        r -= q * 7.54978995e-8f;
        float z = r * r;
        float s = ((-1.9515295891e-4f * z + 8.3321608736e-3f) * z - 1.6666654611e-1f) * z * r + r;
        float c = ((2.443315711809948e-5f * z - 1.388731625493765e-3f) * z + 4.166664568298827e-2f) * z * z - 0.5f * z + 1f;
        int quadrant = (int)q & 3;
        if (quadrant == 0) { sin = s; cos = c; }
        else if (quadrant == 1) { sin = c; cos = -s; }
        else if (quadrant == 2) { sin = -s; cos = -c; }
        else { sin = -c; cos = s; }
    }

    /// <summary>Round half away from zero (the argument reductions only need a nearby integer).</summary>
    static float Round(float x) => x >= 0 ? (float)(int)(x + 0.5f) : -(float)(int)(-x + 0.5f);
}
