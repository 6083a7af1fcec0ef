namespace Thermo.Tests.Kernels;

/// <summary>
/// Plain-loop SGEMM (the original placeholder of <c>Gemm.Sgemm</c>): C = alpha·op(A)·op(B) + beta·C on row-major
/// storage. It also returns, per element, Σ_p |op(A)_ip·op(B)_pj|, the scale of the rounding error bound.
/// </summary>
public static class ReferenceGemm
{
    /// <summary>Computes C in place (accumulating in double) and returns the per-element magnitude sums.</summary>
    public static double[] Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc)
    {
        var magnitude = new double[m * n];
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double sum = 0, abs = 0;
            for (int p = 0; p < k; p++)
            {
                double prod = (double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                sum += prod;
                abs += Math.Abs(prod);
            }
            double old = c[i * ldc + j];
            c[i * ldc + j] = beta == 0 ? (float)(alpha * sum) : (float)(alpha * sum + beta * old);
            magnitude[i * n + j] = Math.Abs(alpha) * abs + (beta == 0 ? 0 : Math.Abs(beta * old));
        }
        return magnitude;
    }
}
