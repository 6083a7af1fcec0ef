using Thermo.Kernels;
using Thermo.Autograd;
using Thermo.Tensors;

namespace Thermo.Langevin;

/// <summary>
/// The noise-free equilibrium of one unit in a constant field: the minimum of J2 u² + J4 u⁴ − z u, i.e. the odd,
/// monotone solution of 2 J2 u + 4 J4 u³ = z (≈ z/(2J2) for small z, ≈ (z/(4J4))^(1/3) for large z). It is the
/// activation function a Langevin unit computes (with z = −field), so a teacher that uses it has activations
/// the computer can hold at equilibrium. du/dz = 1/(2 J2 + 12 J4 u²).
/// </summary>
public static class EquilibriumResponse
{
    /// <summary>u(z) by Newton's method from a bound that keeps the iteration monotone.</summary>
    public static float Solve(float z, float j2, float j4)
    {
        if (!(j2 >= 0 && j4 >= 0 && j2 + j4 > 0)) throw new ArgumentException($"equilibrium response needs J2, J4 ≥ 0, not both 0 (got {j2}, {j4})");
        double zd = z, a = Math.Abs(zd);
        if (a == 0) return 0;
        // Each term alone reaches |z| at its bound, so the smaller bound lies above the root; Newton on a convex
        // increasing function converges monotonically from above.
        double u = Math.Min(j2 > 0 ? a / (2 * j2) : double.MaxValue, j4 > 0 ? Math.Cbrt(a / (4 * j4)) : double.MaxValue);
        for (int it = 0; it < 40; it++)
        {
            double f = 2 * j2 * u + 4 * j4 * u * u * u - a, d = 2 * j2 + 12 * j4 * u * u;
            double next = u - f / d;
            if (Math.Abs(next - u) <= 1e-12 * Math.Max(1, u)) { u = next; break; }
            u = next;
        }
        return (float)(Math.Sign(zd) * u);
    }

    /// <summary>Differentiable elementwise u(z).</summary>
    public static Tensor Apply(Tensor z, float j2, float j4)
    {
        var y = Tensor.Empty(z.Shape);
        var zd = z.Data; var yd = y.Data;
        ParallelRange.For(zd.Length, 1 << 14, (s, e) =>
        {
            for (int i = s; i < e; i++) yd[i] = Solve(zd[i], j2, j4);
        });
        return F.Record(y, g =>
        {
            var sink = GradBuffer.Sink(z, out bool overwrite);
            var gd = g.Data;
            for (int i = 0; i < gd.Length; i++)
            {
                float u = yd[i];
                float d = gd[i] / (2 * j2 + 12 * j4 * u * u);
                sink[i] = overwrite ? d : sink[i] + d;
            }
        }, z);
    }
}
