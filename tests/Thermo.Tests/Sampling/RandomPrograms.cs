using Thermo.Ising;
using Thermo.Randomness;

namespace Thermo.Tests.Sampling;

/// <summary>Random small programs for statistical tests.</summary>
internal static class RandomPrograms
{
    static float[] Normals(ulong seed, ulong stream, int n, float scale)
    {
        var z = new float[(n + 3) & ~3];
        Philox.FillNormal(seed, stream, 0, z);
        var r = new float[n];
        for (int i = 0; i < n; i++) r[i] = z[i] * scale;
        return r;
    }

    /// <summary>All-to-all couplings J_ij ~ N(0, scale²/n), fields ~ N(0, 0.3²).</summary>
    public static IsingProgram Dense(int n, float beta, ulong seed, float scale = 1f, IEnumerable<(int, sbyte)>? pinned = null)
    {
        var g = Normals(seed, 1, n * n, scale / MathF.Sqrt(n));
        var j = new float[n * n];
        for (int a = 0; a < n; a++) for (int b = a + 1; b < n; b++) j[a * n + b] = j[b * n + a] = g[a * n + b];
        return IsingProgram.FromMatrix(j, Normals(seed, 2, n, 0.3f), beta, pinned);
    }

    /// <summary>A random graph with edge probability p and couplings ~ N(0, scale²).</summary>
    public static IsingProgram Sparse(int n, float p, float beta, ulong seed, float scale = 0.7f, IEnumerable<(int, sbyte)>? pinned = null)
    {
        var triples = new List<(int, int, float)>();
        var w = Normals(seed, 3, n * n, scale);
        for (int a = 0; a < n; a++)
            for (int b = a + 1; b < n; b++)
                if (Philox.Uniform(seed, 4, (ulong)(a * n + b)) < p) triples.Add((a, b, w[a * n + b]));
        return new IsingProgram([new SpinLayer("spins", [n])], [SparseCoupling.FromTriples(triples)], [Normals(seed, 5, n, 0.3f)], beta, 1f, pinned);
    }
}
