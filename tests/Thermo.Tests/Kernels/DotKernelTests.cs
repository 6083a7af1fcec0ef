using CsCheck;
using Thermo.Kernels;

namespace Thermo.Tests.Kernels;

public unsafe class DotKernelTests
{
    /// <summary>A panel of 8 rows filled run by run (runs of random lengths, some all zero, as padded taps are).</summary>
    static readonly Gen<(int[] Runs, bool[] Zero, int RowsA, int Seed)> Panels =
        from runs in Gen.Int[1, 70].Array[1, 8]
        from zero in Gen.Bool.Array[8]
        from rowsA in Gen.Int[1, 3]
        from seed in Gen.Int
        select (runs, zero, rowsA, seed);

    static void CheckTile3x8(int[] runs, bool[] zero, int rowsA, int seed)
    {
        int length = runs.Sum(), slices = (length + 15) / 16;
        const int ldc = 11;
        var b = KernelAssert.Random(8 * length, seed);
        for (int j = 0; j < 8; j++)
            if (zero[j]) Array.Clear(b, j * length, length);
        var a = KernelAssert.Random(3 * length, seed + 1);
        var c = KernelAssert.Random(3 * ldc, seed + 2);
        var panel = new float[slices * 128];
        fixed (float* pb = b, pa = a, pc = c, pp = panel)
        {
            // Filled as WeightDots does: the last partial slice zero first, then run by run (zero runs from null).
            for (int j = 0; j < 8; j++)
                for (int r = 0, t0 = 0; r < runs.Length; t0 += runs[r++])
                    DotKernel.PackPanelRow(zero[j] ? null : pb + j * length + t0, t0, runs[r], pp, j);
            // Fewer than three rows repeat the last one, as at the edge of dW.
            float* a0 = pa, a1 = rowsA > 1 ? pa + length : a0, a2 = rowsA > 2 ? pa + 2 * length : a1;
            var expected = (float[])c.Clone();
            var magnitude = new double[c.Length];
            float*[] rows = [a0, a1, a2];
            for (int r = 0; r < 3; r++)
                for (int j = 0; j < 8; j++)
                {
                    double sum = c[r * ldc + j], abs = Math.Abs(sum);
                    for (int t = 0; t < length; t++)
                    {
                        double term = (double)rows[r][t] * b[j * length + t];
                        sum += term; abs += Math.Abs(term);
                    }
                    expected[r * ldc + j] = (float)sum;
                    magnitude[r * ldc + j] = abs;
                }
            DotKernel.Tile3x8(a0, a1, a2, pp, length, pc, ldc);
            KernelAssert.Close(expected, c, magnitude, length + 1, $"runs [{string.Join(", ", runs)}], {rowsA} rows");
            // Columns past the tile are untouched.
            for (int r = 0; r < 3; r++)
                for (int j = 8; j < ldc; j++) Assert.Equal(expected[r * ldc + j], c[r * ldc + j]);
        }
    }

    [Avx512Fact]
    public void Tile3x8_matches_plain_sums_over_panels_packed_from_runs_of_any_length() =>
        Panels.Sample(t => CheckTile3x8(t.Runs, t.Zero, t.RowsA, t.Seed), iter: 200, seed: "0N0XIzNsQ0O2");

    [Avx512Fact]
    public void PackPanelRow_writes_only_its_own_row_and_columns()
    {
        var src = KernelAssert.Random(40, 1);
        var panel = new float[4 * 128];
        foreach (var (t0, count) in new[] { (5, 20), (16, 32), (0, 7), (9, 40) })
        {
            Array.Fill(panel, -7f);
            fixed (float* ps = src, pp = panel) DotKernel.PackPanelRow(ps, t0, count, pp, 2);
            for (int k = 0; k < 4; k++)
                for (int j = 0; j < 8; j++)
                    for (int l = 0; l < 16; l++)
                    {
                        int t = 16 * k + l;
                        float want = j == 2 && t >= t0 && t < t0 + count ? src[t - t0] : -7f;
                        Assert.Equal(want, panel[128 * k + 16 * j + l]);
                    }
        }
    }
}
