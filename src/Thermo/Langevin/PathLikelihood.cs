namespace Thermo.Langevin;

/// <summary>
/// Path log-likelihood of a moving-unit trajectory under the Euler–Maruyama dynamics of a
/// <see cref="LangevinComputer"/> (Whitelam 2025; docs/method.md §2):
/// <code>−ln P = (1/(4 μ kT Δt)) Σ_k Σ_i r_ik² + const,   r_ik = x_i(t_(k+1)) − x_i(t_k) + μ Δt ∂_iV(x(t_k))</code>
/// with the closed-form gradients
/// <code>∂(−ln P)/∂b_i = Σ_k r_ik / (2kT),   ∂(−ln P)/∂J_ij = Σ_k (r_ik x_j + r_jk x_i) / (2kT)</code>
/// where a clamped input j contributes no residual of its own (only r_i x_j). Since ∂_iV is linear in (b, J),
/// −ln P is a convex quadratic in them. This is the plain per-path form (reference and tests); training uses
/// the same quantity through <see cref="PathStatistics"/>.
/// </summary>
public static class PathLikelihood
{
    /// <summary>−ln P (without the constant) of <paramref name="path"/> [(steps + 1) × M] for clamped <paramref name="input"/>.</summary>
    public static double NegLogLikelihood(LangevinComputer computer, float dt, ReadOnlySpan<float> input, ReadOnlySpan<float> path, int steps) =>
        Evaluate(computer, dt, input, path, steps, null);

    /// <summary>Adds ∂(−ln P)/∂θ of one path to <paramref name="gradient"/> and returns −ln P.</summary>
    public static double Accumulate(LangevinComputer computer, float dt, ReadOnlySpan<float> input, ReadOnlySpan<float> path, int steps, LangevinGradient gradient) =>
        Evaluate(computer, dt, input, path, steps, gradient);

    static double Evaluate(LangevinComputer c, float dt, ReadOnlySpan<float> input, ReadOnlySpan<float> path, int steps, LangevinGradient? g)
    {
        int m = c.Moving;
        if (path.Length < (steps + 1) * m) throw new ArgumentException($"path: expected {(steps + 1)}×{m} values, got {path.Length}");
        if (input.Length < c.Inputs) throw new ArgumentException($"input: expected {c.Inputs} values, got {input.Length}");
        var grad = new float[m];
        var r = new double[m];
        double sum = 0, muDt = c.Mobility * (double)dt, inv2kT = 1.0 / (2 * c.KT);
        for (int k = 0; k < steps; k++)
        {
            var x = path.Slice(k * m, m);
            var next = path.Slice((k + 1) * m, m);
            c.Gradient(input, x, grad);
            for (int i = 0; i < m; i++)
            {
                r[i] = next[i] - (double)x[i] + muDt * grad[i];
                sum += r[i] * r[i];
            }
            if (g is null) continue;
            for (int i = 0; i < m; i++)
            {
                double ri = r[i] * inv2kT;
                g.Bias[i] += ri;
                if ((c.Classes & c.InputClass(i)) != 0)
                    for (int j = 0; j < c.Inputs; j++) g.InputCoupling[j * m + i] += ri * input[j];
                for (int j = 0; j < m; j++)
                    if (j != i && (c.Classes & c.MovingPairClass(i, j)) != 0)
                    {
                        // r_i x_j lands on the tied pair from both sides: entry [i, j] and [j, i] each get both terms.
                        g.MovingCoupling[i * m + j] += ri * x[j];
                        g.MovingCoupling[j * m + i] += ri * x[j];
                    }
            }
        }
        return sum / (4 * c.Mobility * c.KT * dt);
    }
}
