using Thermo.Kernels;
using Thermo.Tensors;

namespace Thermo.Tests.Kernels;

public class KernelParallelTests
{
    [Theory]
    [InlineData(1000, 8, 2)]
    [InlineData(7, 16, 3)]
    [InlineData(1, 4, 2)]
    [InlineData(0, 4, 2)]
    public void Every_index_is_covered_exactly_once(int count, int pieces, int threads)
    {
        int saved = ParallelRange.Threads;
        try
        {
            ParallelRange.Threads = threads;
            var hits = new int[count];
            KernelParallel.For(count, pieces, (s, e) => { for (int i = s; i < e; i++) Interlocked.Increment(ref hits[i]); });
            Assert.All(hits, h => Assert.Equal(1, h));
        }
        finally { ParallelRange.Threads = saved; }
    }

    [Fact]
    public void An_exception_in_any_piece_reaches_the_caller()
    {
        int saved = ParallelRange.Threads;
        try
        {
            ParallelRange.Threads = 2;
            var e = Assert.Throws<InvalidOperationException>(() =>
                KernelParallel.For(64, 8, (s, _) => { if (s >= 32) throw new InvalidOperationException("piece failed"); }));
            Assert.Equal("piece failed", e.Message);
        }
        finally { ParallelRange.Threads = saved; }
    }

    [Fact]
    public void Nested_and_concurrent_calls_each_cover_their_range_once()
    {
        int saved = ParallelRange.Threads;
        try
        {
            ParallelRange.Threads = 3;
            // Eight callers at once, each of whose pieces starts a nested call: the helpers' one-job mailboxes are
            // overwritten all the time, and every caller must still finish its own range.
            var hits = new int[8, 40, 30];
            Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, c =>
            {
                for (int round = 0; round < 20; round++)
                    KernelParallel.For(40, 12, (s, e) =>
                    {
                        for (int i = s; i < e; i++)
                            KernelParallel.For(30, 6, (s2, e2) => { for (int j = s2; j < e2; j++) Interlocked.Increment(ref hits[c, i, j]); });
                    });
            });
            foreach (int h in hits) Assert.Equal(20, h);
        }
        finally { ParallelRange.Threads = saved; }
    }
}
