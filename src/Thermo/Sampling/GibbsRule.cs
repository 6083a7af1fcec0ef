using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Thermo.Randomness;

namespace Thermo.Sampling;

/// <summary>
/// The single-spin heat-bath update every sampler applies, bit for bit. Spin i of chain (input, chain) at
/// sweep t draws the Philox uniform U at index i of stream <see cref="Stream"/>(input, chain, t) and becomes
/// s_i = +1 if U·(1 + e^(−2βu_i)) &lt; 1, i.e. U &lt; σ(2βu_i) = P(s_i = +1 | rest), else −1.
/// e^x is one fixed sequence of FMAs (Cephes expf, relative error ≈ 1e-7, argument clamped to ±87) so the
/// scalar and the 16-lane forms agree exactly. The initial state (sweep −1) is s_i = +1 if U &lt; 1/2.
/// </summary>
public static class GibbsRule
{
    const float Log2E = 1.44269504088896341f, C1 = 0.693359375f, C2 = -2.12194440e-4f, Clamp = 87f;
    const float P0 = 1.9875691500E-4f, P1 = 1.3981999507E-3f, P2 = 8.3334519073E-3f, P3 = 4.1665795894E-2f, P4 = 1.6666665459E-1f, P5 = 5.0000001201E-1f;
    const float TwoToMinus24 = 1f / 16777216f;

    /// <summary>Philox stream of (input, chain, sweep); sweep −1 addresses the initial state.</summary>
    public static ulong Stream(long input, int chain, int sweep) => Philox.Stream((ulong)input, (ulong)chain, (ulong)(sweep + 1L));

    /// <summary>Initial spin from a Philox word: +1 when the uniform is below 1/2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static sbyte Initial(uint word) => (word >> 31) == 0 ? (sbyte)1 : (sbyte)-1;

    /// <summary>The update: +1 if U·(1 + e^(−2βu)) &lt; 1 with U = (word ≫ 8)·2⁻²⁴.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static sbyte Update(float field, float beta, uint word)
    {
        float e = Exp(-2f * beta * field);
        float u = (word >> 8) * TwoToMinus24;
        return u * (1f + e) < 1f ? (sbyte)1 : (sbyte)-1;
    }

    /// <summary>Sixteen updates: all-ones lanes where the new spin is +1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> UpdateMask(Vector512<float> field, float beta, Vector512<uint> words)
    {
        var e = Exp(Vector512.Create(-2f * beta) * field);
        var u = Vector512.ConvertToSingle((words >> 8).AsInt32()) * Vector512.Create(TwoToMinus24);
        return Vector512.LessThan(u * (Vector512<float>.One + e), Vector512<float>.One);
    }

    /// <summary>e^x for x clamped to [−87, 87] (scalar form of the vector sequence).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float x)
    {
        x = MathF.Max(MathF.Min(x, Clamp), -Clamp);
        float n = MathF.Round(x * Log2E, MidpointRounding.ToEven);
        float r = MathF.FusedMultiplyAdd(n, -C1, x);
        r = MathF.FusedMultiplyAdd(n, -C2, r);
        float z = r * r;
        float p = MathF.FusedMultiplyAdd(P0, r, P1);
        p = MathF.FusedMultiplyAdd(p, r, P2);
        p = MathF.FusedMultiplyAdd(p, r, P3);
        p = MathF.FusedMultiplyAdd(p, r, P4);
        p = MathF.FusedMultiplyAdd(p, r, P5);
        float y = MathF.FusedMultiplyAdd(p, z, r) + 1f;
        return y * BitConverter.Int32BitsToSingle(((int)n + 127) << 23);
    }

    /// <summary>e^x for 16 lanes, x clamped to [−87, 87].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.Max(Vector512.Min(x, Vector512.Create(Clamp)), Vector512.Create(-Clamp));
        var n = Vector512.Round(x * Vector512.Create(Log2E));
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-C1), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-C2), r);
        var z = r * r;
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(P0), r, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P5));
        var y = Vector512.FusedMultiplyAdd(p, z, r) + Vector512<float>.One;
        var scale = Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23).AsSingle();
        return y * scale;
    }
}
