using Thermo.Kernels;

namespace Thermo.Tests.Kernels;

public unsafe class PanelPackingTests
{
    [Theory]
    [InlineData(3, 5, false)]
    [InlineData(128, 300, true)]       // NCHW → CHWN: square tiles
    [InlineData(4099, 13, true)]      // CHWN → NCHW: tall tiles, ragged rows and columns
    [InlineData(2048, 128, false)]     // tall, power-of-two stride
    [InlineData(2050, 37, false)]
    public void Transpose_matches_the_definition_with_and_without_a_row_add_for_any_thread_count(int rows, int cols, bool add)
    {
        var src = KernelAssert.Random(rows * cols, rows + cols);
        var rowAdd = add ? KernelAssert.Random(rows, 7) : null;
        var expected = new float[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) expected[c * rows + r] = src[r * cols + c] + (add ? rowAdd![r] : 0);
        int saved = ParallelRange.Threads;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                ParallelRange.Threads = threads;
                var dst = new float[rows * cols];
                fixed (float* s = src, d = dst, a = rowAdd) PanelPacking.Transpose(s, rows, cols, d, a);
                Assert.Equal(expected, dst);
            }
        }
        finally { ParallelRange.Threads = saved; }
    }
}
