using System.Buffers;
using Thermo.Kernels;

namespace Thermo.Langevin;

/// <summary>
/// Sufficient statistics of the path log-likelihood over many paths. With ζ = (x_in, x_moving, 1) and the drift
/// target y_i = −Δx_i/(μΔt) − 2 J2 x_i − 4 J4 x_i³, the residual of <see cref="PathLikelihood"/> is
/// r_i = μΔt (θ_i·ζ − y_i), θ_i = (J_(in,i), J_(·,i), b_i), hence
/// <code>−ln P = (μΔt / 4kT) Σ_i [θ_i G θ_iᵀ − 2 θ_i·c_i + Y_i],   G = Σ_(paths,k) ζ ζᵀ,  c_i = Σ ζ y_i,  Y_i = Σ y_i²</code>
/// so after one pass over the data the convex problem in (b, J) has a fixed size D = I + M + 1, whatever the
/// number of paths (<see cref="PathLikelihoodFit"/> solves it).
/// </summary>
public sealed class PathStatistics
{
    /// <summary>Inputs I, moving units M and D = I + M + 1.</summary>
    public int Inputs { get; }
    /// <inheritdoc cref="Inputs"/>
    public int Moving { get; }
    /// <inheritdoc cref="Inputs"/>
    public int Dim => Inputs + Moving + 1;
    /// <summary>[D × D] Gram matrix G (upper and lower triangles both filled).</summary>
    public double[] G { get; }
    /// <summary>[D × M] cross moments c.</summary>
    public double[] C { get; }
    /// <summary>[M] Σ y².</summary>
    public double[] Y { get; }
    /// <summary>Residual terms (paths × steps) per unit.</summary>
    public long Terms { get; private set; }
    /// <summary>Paths added.</summary>
    public long Paths { get; private set; }
    /// <summary>Dynamics constants the targets y were computed with.</summary>
    public float Dt { get; }
    /// <inheritdoc cref="Dt"/>
    public float Mobility { get; }
    /// <inheritdoc cref="Dt"/>
    public float KT { get; }
    /// <inheritdoc cref="Dt"/>
    public float J2 { get; }
    /// <inheritdoc cref="Dt"/>
    public float J4 { get; }

    /// <summary>Empty statistics for <paramref name="computer"/>'s layout and constants and step Δt.</summary>
    public PathStatistics(LangevinComputer computer, float dt)
    {
        Inputs = computer.Inputs; Moving = computer.Moving;
        Dt = dt; Mobility = computer.Mobility; KT = computer.KT; J2 = computer.J2; J4 = computer.J4;
        G = new double[Dim * Dim];
        C = new double[Dim * Moving];
        Y = new double[Moving];
    }

    /// <summary>
    /// Adds <paramref name="count"/> paths: inputs [count × I] and paths [count × (steps + 1) × M] (states at
    /// t_0 … t_steps). Products run in float32 GEMMs per call and are accumulated in double.
    /// </summary>
    public void Add(ReadOnlySpan<float> inputs, ReadOnlySpan<float> paths, int count, int steps)
    {
        int ni = Inputs, m = Moving, d = Dim, s = steps;
        if (inputs.Length < (long)count * ni) throw new ArgumentException($"inputs: expected {count}×{ni} values, got {inputs.Length}");
        if (paths.Length < (long)count * (s + 1) * m) throw new ArgumentException($"paths: expected {count}×{s + 1}×{m} values, got {paths.Length}");
        if (count == 0 || s == 0) return;
        int rows = count * s;
        var pool = ArrayPool<float>.Shared;
        float[] states = pool.Rent(rows * m), targets = pool.Rent(rows * m), sumStates = pool.Rent(count * m), sumTargets = pool.Rent(count * m);
        float[] gii = pool.Rent(Math.Max(1, ni * ni)), gim = pool.Rent(Math.Max(1, ni * m)), cim = pool.Rent(Math.Max(1, ni * m));
        float[] gmm = pool.Rent(m * m), cmm = pool.Rent(m * m);
        try
        {
            double invMuDt = 1.0 / (Mobility * (double)Dt);
            var ySq = new double[m];
            for (int n = 0; n < count; n++)
            {
                var ss = sumStates.AsSpan(n * m, m); var st = sumTargets.AsSpan(n * m, m);
                ss.Clear(); st.Clear();
                for (int k = 0; k < s; k++)
                {
                    var x = paths.Slice((n * (s + 1) + k) * m, m);
                    var next = paths.Slice((n * (s + 1) + k + 1) * m, m);
                    int row = n * s + k;
                    for (int i = 0; i < m; i++)
                    {
                        double xi = x[i];
                        double y = -(next[i] - xi) * invMuDt - 2 * J2 * xi - 4 * J4 * xi * xi * xi;
                        states[row * m + i] = x[i];
                        targets[row * m + i] = (float)y;
                        ss[i] += x[i]; st[i] += (float)y;
                        ySq[i] += y * y;
                    }
                }
            }
            // Moving–moving and target blocks over all (path, step) rows.
            Gemm.Sgemm(true, false, m, m, rows, 1f, states, m, states, m, 0f, gmm, m);
            Gemm.Sgemm(true, false, m, m, rows, 1f, states, m, targets, m, 0f, cmm, m);
            if (ni > 0)
            {
                // Inputs are constant along a path: their blocks need only per-path sums.
                Gemm.Sgemm(true, false, ni, ni, count, s, inputs, ni, inputs, ni, 0f, gii, ni);
                Gemm.Sgemm(true, false, ni, m, count, 1f, inputs, ni, sumStates, m, 0f, gim, m);
                Gemm.Sgemm(true, false, ni, m, count, 1f, inputs, ni, sumTargets, m, 0f, cim, m);
            }
            int one = d - 1, mo = ni;   // offsets of the bias row and of the moving block
            for (int a = 0; a < ni; a++)
            {
                for (int b = 0; b < ni; b++) G[a * d + b] += gii[a * ni + b];
                for (int i = 0; i < m; i++)
                {
                    G[a * d + mo + i] += gim[a * m + i];
                    G[(mo + i) * d + a] += gim[a * m + i];
                    C[a * m + i] += cim[a * m + i];
                }
                double xs = 0;
                for (int n = 0; n < count; n++) xs += inputs[n * ni + a];
                G[a * d + one] += s * xs; G[one * d + a] += s * xs;
            }
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < m; j++)
                {
                    G[(mo + i) * d + mo + j] += gmm[i * m + j];
                    C[(mo + i) * m + j] += cmm[i * m + j];
                }
                double sx = 0, sy = 0;
                for (int n = 0; n < count; n++) { sx += sumStates[n * m + i]; sy += sumTargets[n * m + i]; }
                G[(mo + i) * d + one] += sx; G[one * d + mo + i] += sx;
                C[one * m + i] += sy;
                Y[i] += ySq[i];
            }
            G[one * d + one] += rows;
            Terms += rows; Paths += count;
        }
        finally
        {
            foreach (var a in new[] { states, targets, sumStates, sumTargets, gii, gim, cim, gmm, cmm }) pool.Return(a);
        }
    }

    /// <summary>−ln P (without the constant) of the accumulated paths for the parameters of <paramref name="computer"/>.</summary>
    public double NegLogLikelihood(LangevinComputer computer)
    {
        var theta = PathLikelihoodFit.ToTheta(computer);
        int d = Dim, m = Moving;
        double total = 0;
        for (int i = 0; i < m; i++)
        {
            var row = theta.AsSpan(i * d, d);
            double quad = 0, lin = 0;
            for (int a = 0; a < d; a++)
            {
                double acc = 0;
                for (int b = 0; b < d; b++) acc += G[a * d + b] * row[b];
                quad += row[a] * acc;
                lin += row[a] * C[a * m + i];
            }
            total += quad - 2 * lin + Y[i];
        }
        return Mobility * (double)Dt / (4 * KT) * total;
    }
}
