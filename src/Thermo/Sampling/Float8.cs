using ILGPU;

namespace Thermo.Sampling;

/// <summary>
/// Eight floats held in registers by a device kernel thread: the fields of one spin for eight chains, or eight
/// chains' spins (±1) of one neighbour. Value semantics only (no refs), so ILGPU keeps every field in a register.
/// </summary>
internal readonly struct Float8(float c0, float c1, float c2, float c3, float c4, float c5, float c6, float c7)
{
    readonly float c0 = c0, c1 = c1, c2 = c2, c3 = c3, c4 = c4, c5 = c5, c6 = c6, c7 = c7;

    public static Float8 Of(float v) => new(v, v, v, v, v, v, v, v);

    /// <summary>this + a·s, element by element; with s = ±1 the product is exact, so the sum is this ± a.</summary>
    public Float8 Add(float a, Float8 s) =>
        new(c0 + a * s.c0, c1 + a * s.c1, c2 + a * s.c2, c3 + a * s.c3, c4 + a * s.c4, c5 + a * s.c5, c6 + a * s.c6, c7 + a * s.c7);

    public void Store(ArrayView<float> to, int at)
    {
        to[at] = c0; to[at + 1] = c1; to[at + 2] = c2; to[at + 3] = c3;
        to[at + 4] = c4; to[at + 5] = c5; to[at + 6] = c6; to[at + 7] = c7;
    }
}
