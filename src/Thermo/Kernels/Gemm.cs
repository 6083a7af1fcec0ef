namespace Thermo.Kernels;

/// <summary>
/// Single-precision general matrix multiply on row-major storage:
/// C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C, op(X) = X or Xᵀ.
/// </summary>
public static class Gemm
{
    /// <summary>
    /// SGEMM. <paramref name="lda"/>, <paramref name="ldb"/>, <paramref name="ldc"/> are row strides of the
    /// stored (untransposed) matrices. With beta = 0, C is overwritten (NaNs in C are not propagated).
    /// </summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        // Placeholder: plain loops. Replaced by a blocked, packed, vectorised kernel (see Kernels/ tests).
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            float sum = 0;
            for (int p = 0; p < k; p++)
                sum += (transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
            c[i * ldc + j] = beta == 0 ? alpha * sum : alpha * sum + beta * c[i * ldc + j];
        }
    }
}
