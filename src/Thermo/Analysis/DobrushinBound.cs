using Thermo.Ising;

namespace Thermo.Analysis;

/// <summary>
/// Dobrushin's influence bound on how fast a Gibbs sampler forgets. The influence of free spin j on free spin i is
/// C_ij = tanh(β|J_ij|) ≤ β|J_ij| (a change of s_j moves P(s_i = +1 | rest) by at most that much); clamped and
/// pinned spins do not count. α = max_i Σ_j C_ij (<see cref="Alpha"/>, with β|J_ij| as in the project's
/// magnitude penalty). For a two-colour (bipartite) program a sweep contracts the Hamming distance between
/// two coupled chains by λ = α_{0←1}·α_{1←0}, α_{a←b} = max_{j∈b} Σ_{i∈a} C_ij; the chain of one colour class
/// alone is reversible with a positive spectrum, so its autocorrelations obey 0 ≤ ρ(t) ≤ λ^t (Ollivier 2009,
/// Prop. 30) and τ_int ≤ (1 + λ)/(1 − λ) ≤ (1 + α²)/(1 − α²) whenever λ &lt; 1.
/// </summary>
public static class DobrushinBound
{
    /// <summary>α = max over free i of Σ_{free j} C_ij, with C_ij = β|J_ij| or, when <paramref name="tanh"/>, tanh(β|J_ij|).</summary>
    public static double Alpha(IsingProgram program, bool tanh = false)
    {
        var g = program.Graph;
        var free = program.FreeMask();
        double alpha = 0;
        for (int i = 0; i < g.SpinCount; i++)
        {
            if (!free[i]) continue;
            double row = 0;
            for (int k = g.RowStart[i]; k < g.RowStart[i + 1]; k++)
                if (free[g.Neighbor[k]]) row += Influence(g.Weight[k], program.Beta, tanh);
            alpha = Math.Max(alpha, row);
        }
        return alpha;
    }

    /// <summary>
    /// Per-sweep contraction λ of a program coloured with two colours: α_{0←1}·α_{1←0}. Programs with more
    /// colours get α (the general systematic-scan contraction bound), with no reversibility guarantee.
    /// </summary>
    public static double SweepContraction(IsingProgram program, bool tanh = true)
    {
        var colouring = program.Colouring;
        if (colouring.Count != 2) return Alpha(program, tanh);
        var g = program.Graph;
        var colour = colouring.ColourOf;
        // Column sums: for spin j of colour b, Σ over neighbours i of the other colour (symmetric J: row sums of j).
        var into = new double[2];
        for (int j = 0; j < g.SpinCount; j++)
        {
            if (colour[j] < 0) continue;
            double col = 0;
            for (int k = g.RowStart[j]; k < g.RowStart[j + 1]; k++)
                if (colour[g.Neighbor[k]] >= 0) col += Influence(g.Weight[k], program.Beta, tanh);
            int target = 1 - colour[j];
            into[target] = Math.Max(into[target], col);
        }
        return into[0] * into[1];
    }

    /// <summary>The bound τ_int ≤ (1 + λ)/(1 − λ) for observables of one colour class (∞ when λ ≥ 1).</summary>
    public static double TauBound(double lambda) => lambda < 1 ? (1 + lambda) / (1 - lambda) : double.PositiveInfinity;

    static double Influence(float j, float beta, bool tanh) => tanh ? Math.Tanh(beta * Math.Abs((double)j)) : beta * Math.Abs((double)j);
}
