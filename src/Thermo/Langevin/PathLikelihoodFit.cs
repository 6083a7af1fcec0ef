using System.Numerics.Tensors;
using Thermo.Kernels;
using Thermo.Tensors;

namespace Thermo.Langevin;

/// <summary>What a <see cref="PathLikelihoodFit"/> did.</summary>
/// <param name="Iterations">Conjugate-gradient iterations.</param>
/// <param name="RelativeResidual">‖projected gradient‖ / ‖projected gradient at θ = 0‖ at the end.</param>
/// <param name="NegLogLikelihoodPerTerm">−ln P / (paths × steps × M) at the solution (ridge excluded).</param>
public readonly record struct PathFitReport(int Iterations, double RelativeResidual, double NegLogLikelihoodPerTerm);

/// <summary>
/// Maximum-likelihood couplings and biases for a set of idealised paths: minimises the convex quadratic
/// −ln P(θ) + λ‖θ‖² of <see cref="PathStatistics"/> over the parameters the computer's coupling classes allow
/// (J symmetric, no self-coupling), exactly. Each moving unit's input couplings and bias w_i enter only its own
/// residual, so they are eliminated in closed form (w_i = A⁻¹(c_i − B v_i), A = G_ww + λ, one Cholesky per row group);
/// what remains is a problem in the tied moving–moving couplings v alone with the M × M Schur complement
/// S = G_vv + λ − Bᵀ A⁻¹ B, solved by Jacobi-preconditioned conjugate gradients on symmetric matrices.
/// </summary>
public sealed class PathLikelihoodFit
{
    /// <summary>Ridge λ relative to the mean diagonal of G (keeps constant pixels and unused directions at zero).</summary>
    public double Ridge { get; init; } = 1e-6;
    /// <summary>Iteration cap of the conjugate gradients on the tied couplings.</summary>
    public int MaxIterations { get; init; } = 20000;
    /// <summary>Stop when the projected gradient has shrunk by this factor.</summary>
    public double Tolerance { get; init; } = 1e-10;

    /// <summary>Sets the couplings and biases of <paramref name="computer"/> to the maximum-likelihood values.</summary>
    public PathFitReport Solve(PathStatistics stats, LangevinComputer computer)
    {
        if (stats.Inputs != computer.Inputs || stats.Moving != computer.Moving)
            throw new ArgumentException($"statistics are for {stats.Inputs} inputs and {stats.Moving} moving units, computer has {computer.Inputs} and {computer.Moving}");
        int d = stats.Dim, m = stats.Moving, ni = stats.Inputs;
        var g = stats.G;
        double trace = 0;
        for (int a = 0; a < d; a++) trace += g[a * d + a];
        double lambda = Ridge * trace / d;

        // Row groups by whether their input couplings are free: hidden rows (input–hidden) and output rows (input–output).
        var groups = new Dictionary<bool, Group>();
        var groupOf = new Group[m];
        for (int i = 0; i < m; i++)
        {
            bool free = computer.Has(computer.InputClass(i));
            if (!groups.TryGetValue(free, out var grp)) groups[free] = grp = Group.Create(g, d, ni, m, free, lambda);
            groupOf[i] = grp;
        }

        // Reduced right-hand side d_i = c_v,i − Xᵀ c_w,i with X = A⁻¹ B.
        var rhs = new double[m * m];
        for (int i = 0; i < m; i++)
        {
            var grp = groupOf[i];
            for (int j = 0; j < m; j++)
            {
                double v = stats.C[(ni + j) * m + i];
                for (int q = 0; q < grp.W.Length; q++) v -= grp.X[q * m + j] * stats.C[grp.W[q] * m + i];
                rhs[i * m + j] = v;
            }
        }
        var mask = new double[m * m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) mask[i * m + j] = i != j && computer.Has(computer.MovingPairClass(i, j)) ? 1 : 0;

        // CG on symmetric V: minimise Σ_i v_i S_g(i) v_iᵀ − 2 v_i·d_i, operator Π(V ↦ row_i(V) S_g(i)).
        var theta = new double[m * m];
        var r = (double[])rhs.Clone();
        Symmetrize(r, mask, m);
        var diag = new double[m * m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
                diag[i * m + j] = mask[i * m + j] == 0 ? 1 : 0.5 * (groupOf[i].S[j * m + j] + groupOf[j].S[i * m + i]);
        double r0 = Math.Sqrt(TensorPrimitives.Dot<double>(r, r));
        var z = new double[m * m];
        var p = new double[m * m];
        var ap = new double[m * m];
        TensorPrimitives.Divide<double>(r, diag, z);
        z.CopyTo(p, 0);
        double rz = TensorPrimitives.Dot<double>(r, z), rel = r0 == 0 ? 0 : 1;
        int it = 0;
        for (; it < MaxIterations && rel > Tolerance; it++)
        {
            for (int i = 0; i < m; i++)
            {
                var s = groupOf[i].S;
                for (int j = 0; j < m; j++)
                {
                    double acc = 0;
                    for (int q = 0; q < m; q++) acc += p[i * m + q] * s[q * m + j];
                    ap[i * m + j] = acc;
                }
            }
            Symmetrize(ap, mask, m);
            double pap = TensorPrimitives.Dot<double>(p, ap);
            if (!(pap > 0)) break;
            double alpha = rz / pap;
            TensorPrimitives.MultiplyAdd(p, alpha, theta, theta);
            TensorPrimitives.MultiplyAdd(ap, -alpha, r, r);
            rel = Math.Sqrt(TensorPrimitives.Dot<double>(r, r)) / r0;
            TensorPrimitives.Divide<double>(r, diag, z);
            double rzNew = TensorPrimitives.Dot<double>(r, z);
            TensorPrimitives.MultiplyAdd(p, rzNew / rz, z, p);
            rz = rzNew;
        }

        // Back-substitute w_i = A⁻¹ c_w,i − X v_i and assemble Θ.
        var full = new double[m * d];
        for (int i = 0; i < m; i++)
        {
            var grp = groupOf[i];
            var cw = new double[grp.W.Length];
            for (int q = 0; q < cw.Length; q++) cw[q] = stats.C[grp.W[q] * m + i];
            grp.SolveInPlace(cw);
            for (int q = 0; q < cw.Length; q++)
            {
                double v = cw[q];
                for (int j = 0; j < m; j++) v -= grp.X[q * m + j] * theta[i * m + j];
                full[i * d + grp.W[q]] = v;
            }
            for (int j = 0; j < m; j++) full[i * d + ni + j] = theta[i * m + j];
        }
        FromTheta(full, computer);
        double nll = stats.NegLogLikelihood(computer);
        return new PathFitReport(it, rel, nll / Math.Max(1, stats.Terms * m));
    }

    static void Symmetrize(double[] v, double[] mask, int m)
    {
        for (int i = 0; i < m; i++)
            for (int j = i + 1; j < m; j++)
            {
                double avg = 0.5 * (v[i * m + j] + v[j * m + i]);
                v[i * m + j] = avg; v[j * m + i] = avg;
            }
        TensorPrimitives.Multiply<double>(v, mask, v);
    }

    /// <summary>Rows sharing one set of untied features W (their inputs if free, and the bias).</summary>
    sealed class Group
    {
        public required int[] W;          // feature indices into ζ
        public required double[] L;       // Cholesky factor of A = G_WW + λ
        public required double[] X;       // A⁻¹ B, [|W| × M]
        public required double[] S;       // G_vv + λ − Bᵀ A⁻¹ B, [M × M]

        public static Group Create(double[] g, int d, int ni, int m, bool inputs, double lambda)
        {
            int[] w = inputs ? [.. Enumerable.Range(0, ni), d - 1] : [d - 1];
            int n = w.Length;
            var a = new double[n * n];
            for (int p = 0; p < n; p++)
                for (int q = 0; q < n; q++) a[p * n + q] = g[w[p] * d + w[q]] + (p == q ? lambda : 0);
            var l = Cholesky(a, n);
            var x = new double[n * m];
            var grp = new Group { W = w, L = l, X = x, S = new double[m * m] };
            ParallelRange.For(m, 4, (start, end) =>
            {
                var col = new double[n];
                for (int j = start; j < end; j++)
                {
                    for (int p = 0; p < n; p++) col[p] = g[w[p] * d + ni + j];
                    grp.SolveInPlace(col);
                    for (int p = 0; p < n; p++) x[p * m + j] = col[p];
                }
            });
            for (int i = 0; i < m; i++)
                for (int j = 0; j < m; j++)
                {
                    double v = g[(ni + i) * d + ni + j] + (i == j ? lambda : 0);
                    for (int p = 0; p < n; p++) v -= g[w[p] * d + ni + i] * x[p * m + j];
                    grp.S[i * m + j] = v;
                }
            // Symmetrise away rounding so that CG sees a symmetric operator.
            for (int i = 0; i < m; i++)
                for (int j = i + 1; j < m; j++)
                {
                    double v = 0.5 * (grp.S[i * m + j] + grp.S[j * m + i]);
                    grp.S[i * m + j] = v; grp.S[j * m + i] = v;
                }
            return grp;
        }

        /// <summary>b ← A⁻¹ b.</summary>
        public void SolveInPlace(double[] b)
        {
            int n = W.Length;
            for (int p = 0; p < n; p++) b[p] = (b[p] - TensorPrimitives.Dot<double>(L.AsSpan(p * n, p), b.AsSpan(0, p))) / L[p * n + p];
            for (int p = n - 1; p >= 0; p--)
            {
                double v = b[p];
                for (int q = p + 1; q < n; q++) v -= L[q * n + p] * b[q];
                b[p] = v / L[p * n + p];
            }
        }
    }

    /// <summary>Parameters as the [M × D] matrix Θ: row i = (J_(in→i), J_(i,·), b_i).</summary>
    internal static double[] ToTheta(LangevinComputer c)
    {
        int ni = c.Inputs, m = c.Moving, d = ni + m + 1;
        var theta = new double[m * d];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < ni; j++) theta[i * d + j] = c.InputCoupling[j * m + i];
            for (int j = 0; j < m; j++) theta[i * d + ni + j] = i == j ? 0 : c.MovingCoupling[i * m + j];
            theta[i * d + d - 1] = c.Bias[i];
        }
        return theta;
    }

    /// <summary>Writes Θ back (symmetrised and masked by the computer's classes).</summary>
    internal static void FromTheta(double[] theta, LangevinComputer c)
    {
        int ni = c.Inputs, m = c.Moving, d = ni + m + 1;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < ni; j++) c.InputCoupling[j * m + i] = (float)theta[i * d + j];
            for (int j = 0; j < m; j++) c.MovingCoupling[i * m + j] = (float)theta[i * d + ni + j];
            c.Bias[i] = (float)theta[i * d + d - 1];
        }
        c.Enforce();
    }

    /// <summary>Lower Cholesky factor of a symmetric positive-definite [n × n] matrix.</summary>
    internal static double[] Cholesky(double[] a, int n)
    {
        var l = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double s = a[i * n + j] - TensorPrimitives.Dot<double>(l.AsSpan(i * n, j), l.AsSpan(j * n, j));
                if (i == j)
                {
                    if (!(s > 0)) throw new InvalidOperationException($"Gram matrix is not positive definite at pivot {i} ({s}); increase the ridge");
                    l[i * n + i] = Math.Sqrt(s);
                }
                else l[i * n + j] = s / l[j * n + j];
            }
        }
        return l;
    }

}
