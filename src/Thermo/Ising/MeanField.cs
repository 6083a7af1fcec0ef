namespace Thermo.Ising;

/// <summary>
/// Naive mean-field magnetisations of a program with its clamped spins fixed: the fixed point of
/// m_i = tanh(β u_i[m]), u_i = h_i + Σ_j J_ij m_j (feedback included), and the feed-forward limit δ → 0 in
/// which each layer sees only the layers below it, m(ℓ) = tanh(β (h(ℓ) + Σ_{j in lower layers} J_ij m_j)).
/// At high temperature the Gibbs time averages approach the fixed point; the feed-forward values differ from
/// them by the feedback bias, O(δ²) for a layered program with temperature gradient δ. With
/// <c>onsager</c> the fixed point is TAP's, m_i = tanh(β u_i − β² m_i Σ_j J_ij² (1 − m_j²)), exact to one more
/// order in β.
/// </summary>
public static class MeanField
{
    /// <summary>
    /// The fixed point, by damped Gauss–Seidel sweeps in colour order starting from the feed-forward values,
    /// until no magnetisation moves by more than <paramref name="tolerance"/>. Clamped entries are the clamped values.
    /// </summary>
    public static double[] FixedPoint(IsingProgram program, ReadOnlySpan<sbyte> inputs, bool onsager = false, int maxSweeps = 1000, double tolerance = 1e-9, double damping = 0.5)
    {
        double beta = program.Beta;
        var m = FeedForward(program, inputs);
        var graph = program.Graph;
        var colouring = program.Colouring;
        for (int sweep = 0; sweep < maxSweeps; sweep++)
        {
            double change = 0;
            for (int c = 0; c < colouring.Count; c++)
                foreach (int i in colouring.Spins(c))
                {
                    double u = graph.Field[i], reaction = 0;
                    for (int k = graph.RowStart[i]; k < graph.RowStart[i + 1]; k++)
                    {
                        double mj = m[graph.Neighbor[k]], j = graph.Weight[k];
                        u += j * mj;
                        if (onsager) reaction += j * j * (1 - mj * mj);
                    }
                    double next = (1 - damping) * Math.Tanh(beta * u - beta * beta * m[i] * reaction) + damping * m[i];
                    change = Math.Max(change, Math.Abs(next - m[i]));
                    m[i] = next;
                }
            if (change < tolerance) return m;
        }
        throw new InvalidOperationException($"mean field did not converge in {maxSweeps} sweeps (β = {program.Beta} may be past the high-temperature regime)");
    }

    /// <summary>Feed-forward magnetisations: layers in order, each from its bias and the layers below only.</summary>
    public static double[] FeedForward(IsingProgram program, ReadOnlySpan<sbyte> inputs)
    {
        var m = Clamped(program, inputs);
        var graph = program.Graph;
        var layerOf = program.LayerOfSpin();
        var free = program.FreeMask();
        for (int i = 0; i < m.Length; i++)
        {
            if (!free[i]) continue;
            double u = graph.Field[i];
            for (int k = graph.RowStart[i]; k < graph.RowStart[i + 1]; k++)
                if (layerOf[graph.Neighbor[k]] < layerOf[i]) u += graph.Weight[k] * m[graph.Neighbor[k]];
            m[i] = Math.Tanh(program.Beta * u);
        }
        return m;
    }

    static double[] Clamped(IsingProgram program, ReadOnlySpan<sbyte> inputs)
    {
        if (inputs.Length != program.InputSpinCount)
            throw new ArgumentException($"mean field needs {program.InputSpinCount} input spins, got {inputs.Length}");
        var m = new double[program.SpinCount];
        var inputMask = program.InputMask();
        for (int i = 0, k = 0; i < m.Length; i++) if (inputMask[i]) m[i] = inputs[k++];
        for (int k = 0; k < program.PinnedSpins.Length; k++) m[program.PinnedSpins[k]] = program.PinnedValues[k];
        return m;
    }
}
