using System.Numerics.Tensors;
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
/// (J symmetric, no self-coupling). Method: conjugate gradients on the constrained subspace, preconditioned by
/// the exact inverse of the regularised Gram matrix K = G + λ (one Cholesky factorisation), which solves the
/// problem outright when no tying or masking is active; the tie J_ij = J_ji then needs only a few iterations.
/// </summary>
public sealed class PathLikelihoodFit
{
    /// <summary>Ridge λ relative to the mean diagonal of G (keeps constant pixels and unused directions at zero).</summary>
    public double Ridge { get; init; } = 1e-6;
    /// <summary>Iteration cap.</summary>
    public int MaxIterations { get; init; } = 200;
    /// <summary>Stop when the projected gradient has shrunk by this factor.</summary>
    public double Tolerance { get; init; } = 1e-7;

    /// <summary>Sets the couplings and biases of <paramref name="computer"/> to the maximum-likelihood values.</summary>
    public PathFitReport Solve(PathStatistics stats, LangevinComputer computer)
    {
        if (stats.Inputs != computer.Inputs || stats.Moving != computer.Moving)
            throw new ArgumentException($"statistics are for {stats.Inputs} inputs and {stats.Moving} moving units, computer has {computer.Inputs} and {computer.Moving}");
        int d = stats.Dim, m = stats.Moving;
        var mask = Mask(computer);
        double trace = 0;
        for (int a = 0; a < d; a++) trace += stats.G[a * d + a];
        double lambda = Ridge * trace / d;
        var k = (double[])stats.G.Clone();
        for (int a = 0; a < d; a++) k[a * d + a] += lambda;
        var lower = Cholesky(k, d);
        var upper = Transpose(lower, d);

        // Right-hand side b = Π(Cᵀ); residual r = b − Π(Θ K).
        var theta = new double[m * d];
        var r = new double[m * d];
        for (int i = 0; i < m; i++)
            for (int a = 0; a < d; a++) r[i * d + a] = stats.C[a * m + i];
        Project(r, mask, computer);
        double r0 = Math.Sqrt(TensorPrimitives.Dot<double>(r, r));
        var z = new double[m * d];
        var p = new double[m * d];
        var ap = new double[m * d];
        Precondition(r, z, lower, upper, d, m, mask, computer);
        z.CopyTo(p, 0);
        double rz = TensorPrimitives.Dot<double>(r, z);
        int it = 0;
        double rel = r0 == 0 ? 0 : 1;
        for (; it < MaxIterations && rel > Tolerance; it++)
        {
            MultiplyRows(p, k, ap, d, m);
            Project(ap, mask, computer);
            double alpha = rz / TensorPrimitives.Dot<double>(p, ap);
            TensorPrimitives.MultiplyAdd(p, alpha, theta, theta);
            TensorPrimitives.MultiplyAdd(ap, -alpha, r, r);
            rel = Math.Sqrt(TensorPrimitives.Dot<double>(r, r)) / r0;
            Precondition(r, z, lower, upper, d, m, mask, computer);
            double rzNew = TensorPrimitives.Dot<double>(r, z);
            TensorPrimitives.MultiplyAdd(p, rzNew / rz, z, p);
            rz = rzNew;
        }
        FromTheta(theta, computer);
        double nll = stats.NegLogLikelihood(computer);
        return new PathFitReport(it, rel, nll / Math.Max(1, stats.Terms * m));
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

    static double[] Mask(LangevinComputer c)
    {
        int ni = c.Inputs, m = c.Moving, d = ni + m + 1;
        var mask = new double[m * d];
        for (int i = 0; i < m; i++)
        {
            double input = (c.Classes & c.InputClass(i)) != 0 ? 1 : 0;
            for (int j = 0; j < ni; j++) mask[i * d + j] = input;
            for (int j = 0; j < m; j++) mask[i * d + ni + j] = j != i && (c.Classes & c.MovingPairClass(i, j)) != 0 ? 1 : 0;
            mask[i * d + d - 1] = 1;
        }
        return mask;
    }

    /// <summary>Orthogonal projection onto the allowed subspace: symmetrise the moving block, then mask.</summary>
    static void Project(double[] v, double[] mask, LangevinComputer c)
    {
        int ni = c.Inputs, m = c.Moving, d = ni + m + 1;
        for (int i = 0; i < m; i++)
            for (int j = i + 1; j < m; j++)
            {
                double avg = 0.5 * (v[i * d + ni + j] + v[j * d + ni + i]);
                v[i * d + ni + j] = avg; v[j * d + ni + i] = avg;
            }
        TensorPrimitives.Multiply<double>(v, mask, v);
    }

    static void Precondition(double[] r, double[] z, double[] lower, double[] upper, int d, int m, double[] mask, LangevinComputer c)
    {
        ParallelRange.For(m, 8, (start, end) =>
        {
            for (int i = start; i < end; i++)
            {
                var row = z.AsSpan(i * d, d);
                r.AsSpan(i * d, d).CopyTo(row);
                // z K = r with K = L Lᵀ: solve L y = r, then Lᵀ z = y (rows of K⁻¹ are columns: K symmetric).
                for (int a = 0; a < d; a++)
                    row[a] = (row[a] - TensorPrimitives.Dot<double>(lower.AsSpan(a * d, a), row[..a])) / lower[a * d + a];
                for (int a = d - 1; a >= 0; a--)
                    row[a] = (row[a] - TensorPrimitives.Dot<double>(upper.AsSpan(a * d + a + 1, d - a - 1), row[(a + 1)..])) / upper[a * d + a];
            }
        });
        Project(z, mask, c);
    }

    static void MultiplyRows(double[] v, double[] k, double[] result, int d, int m)
    {
        ParallelRange.For(m, 8, (start, end) =>
        {
            for (int i = start; i < end; i++)
            {
                var acc = result.AsSpan(i * d, d);
                acc.Clear();
                for (int a = 0; a < d; a++)
                {
                    double w = v[i * d + a];
                    if (w != 0) TensorPrimitives.MultiplyAdd(k.AsSpan(a * d, d), w, acc, acc);
                }
            }
        });
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

    static double[] Transpose(double[] a, int n)
    {
        var t = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) t[j * n + i] = a[i * n + j];
        return t;
    }
}
