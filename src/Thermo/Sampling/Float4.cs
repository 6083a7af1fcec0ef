namespace Thermo.Sampling;

/// <summary>Four floats loaded or stored as one 128-bit access (ILGPU emits <c>ld.shared.v4.f32</c> for it).</summary>
internal readonly struct Float4(float x, float y, float z, float w)
{
    public readonly float X = x, Y = y, Z = z, W = w;
}
