using Thermo.Ising;

namespace Thermo.Tests.Sampling;

/// <summary>Exact Boltzmann averages of a small program by enumerating every state of its free spins.</summary>
internal static class ExactEnumeration
{
    /// <summary>⟨s_i⟩ for every spin and ⟨s_i s_j⟩ (row-major n×n) with inputs/pinned spins fixed (inputs from <paramref name="inputValues"/>).</summary>
    public static (double[] Mean, double[] Pair) Moments(IsingProgram program, ReadOnlySpan<sbyte> inputValues)
    {
        var free = program.FreeMask();
        int n = program.SpinCount;
        var freeIdx = Enumerable.Range(0, n).Where(i => free[i]).ToArray();
        if (freeIdx.Length > 20) throw new ArgumentException("too many free spins to enumerate");
        var s = new sbyte[n];
        var inputMask = program.InputMask();
        for (int i = 0, k = 0; i < n; i++) if (inputMask[i]) s[i] = inputValues[k++];
        for (int k = 0; k < program.PinnedSpins.Length; k++) s[program.PinnedSpins[k]] = program.PinnedValues[k];
        var graph = program.Graph;
        var mean = new double[n];
        var pair = new double[n * n];
        double z = 0, eMin = double.MaxValue;
        // Two passes: the minimum energy first, so the weights cannot overflow.
        for (int pass = 0; pass < 2; pass++)
        for (long state = 0; state < 1L << freeIdx.Length; state++)
        {
            for (int k = 0; k < freeIdx.Length; k++) s[freeIdx[k]] = ((state >> k) & 1) == 1 ? (sbyte)1 : (sbyte)-1;
            double e = graph.Energy(s);
            if (pass == 0) { eMin = Math.Min(eMin, e); continue; }
            double w = Math.Exp(-program.Beta * (e - eMin));
            z += w;
            for (int i = 0; i < n; i++)
            {
                mean[i] += w * s[i];
                for (int j = 0; j < n; j++) pair[i * n + j] += w * s[i] * s[j];
            }
        }
        for (int i = 0; i < n; i++) mean[i] /= z;
        for (int i = 0; i < n * n; i++) pair[i] /= z;
        return (mean, pair);
    }
}
