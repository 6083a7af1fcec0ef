namespace Thermo.Ising;

/// <summary>
/// The effective couplings of a program as a symmetric sparse matrix in compressed rows: row i lists every
/// j with J_ij ≠ 0 structurally (ascending j, blocks touching the same pair summed in program order), with
/// the temperature gradient applied, and the effective fields h_i. This is the plain, obviously-correct form
/// that the reference sampler, the colouring and the energy use: u_i = h_i + Σ_j J_ij s_j.
/// </summary>
public sealed class CouplingGraph
{
    /// <summary>Number of spins.</summary>
    public int SpinCount { get; }
    /// <summary>Row i occupies [RowStart[i], RowStart[i+1]) of <see cref="Neighbor"/> and <see cref="Weight"/>.</summary>
    public int[] RowStart { get; }
    /// <summary>Column (neighbour spin) of each entry.</summary>
    public int[] Neighbor { get; }
    /// <summary>Effective coupling J_ij of each entry.</summary>
    public float[] Weight { get; }
    /// <summary>Effective field h_i of each spin.</summary>
    public float[] Field { get; }

    CouplingGraph(int n, int[] rowStart, int[] neighbor, float[] weight, float[] field)
    {
        SpinCount = n; RowStart = rowStart; Neighbor = neighbor; Weight = weight; Field = field;
    }

    /// <summary>Number of neighbours of spin i.</summary>
    public int Degree(int i) => RowStart[i + 1] - RowStart[i];

    /// <summary>Builds the matrix of <paramref name="program"/>.</summary>
    public static CouplingGraph Build(IsingProgram program)
    {
        int n = program.SpinCount;
        var layers = program.Layers;
        var offsets = program.LayerOffsets;
        long total = 0;
        foreach (var c in program.Couplings) total += 2 * c.PairCount(layers);
        if (total > int.MaxValue / 2) throw new ArgumentException($"program has {total / 2} coupled pairs, too many for the explicit coupling graph");
        var count = new int[n + 1];
        foreach (var c in program.Couplings)
            c.ForEachPair(layers, offsets, (i, j, _) => { count[i + 1]++; count[j + 1]++; });
        for (int i = 0; i < n; i++) count[i + 1] += count[i];
        int m = count[n];
        var col = new int[m];
        var val = new float[m];
        var fill = (int[])count.Clone();
        foreach (var c in program.Couplings)
        {
            float scale = program.CouplingScale(c);
            c.ForEachPair(layers, offsets, (i, j, w) =>
            {
                float jw = scale * w;
                col[fill[i]] = j; val[fill[i]++] = jw;
                col[fill[j]] = i; val[fill[j]++] = jw;
            });
        }
        // Sort each row by neighbour, stably (entries of one row were appended in program order), then sum
        // duplicates in that order.
        var rowStart = new int[n + 1];
        int w0 = 0;
        var keys = new long[64];
        var rowVal = new float[64];
        for (int i = 0; i < n; i++)
        {
            int a = count[i], b = count[i + 1], len = b - a;
            if (keys.Length < len) { keys = new long[Math.Max(len, keys.Length * 2)]; rowVal = new float[keys.Length]; }
            for (int k = 0; k < len; k++) keys[k] = ((long)col[a + k] << 32) | (uint)k;
            Array.Sort(keys, 0, len);
            rowStart[i] = w0;
            for (int k = 0; k < len; k++) rowVal[k] = val[a + k];
            int last = -1;
            for (int k = 0; k < len; k++)
            {
                int j = (int)(keys[k] >> 32);
                float v = rowVal[(int)(keys[k] & 0xFFFFFFFF)];
                if (j == last) { val[w0 - 1] += v; continue; }
                col[w0] = j; val[w0] = v; w0++; last = j;
            }
        }
        rowStart[n] = w0;
        Array.Resize(ref col, w0);
        Array.Resize(ref val, w0);
        return new CouplingGraph(n, rowStart, col, val, program.EffectiveFields());
    }

    /// <summary>u_i = h_i + Σ_j J_ij s_j, summed in ascending j.</summary>
    public float LocalField(ReadOnlySpan<sbyte> spins, int i)
    {
        float u = Field[i];
        for (int k = RowStart[i]; k < RowStart[i + 1]; k++) u += Weight[k] * spins[Neighbor[k]];
        return u;
    }

    /// <summary>E(s) = −Σ_{i&lt;j} J_ij s_i s_j − Σ_i h_i s_i, in double precision.</summary>
    public double Energy(ReadOnlySpan<sbyte> spins)
    {
        if (spins.Length != SpinCount) throw new ArgumentException($"energy needs {SpinCount} spins, got {spins.Length}");
        double e = 0;
        for (int i = 0; i < SpinCount; i++)
        {
            double pair = 0;
            for (int k = RowStart[i]; k < RowStart[i + 1]; k++) if (Neighbor[k] > i) pair += (double)Weight[k] * spins[Neighbor[k]];
            e -= spins[i] * (pair + Field[i]);
        }
        return e;
    }
}
