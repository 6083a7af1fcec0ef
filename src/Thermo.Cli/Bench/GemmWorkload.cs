using Thermo.Kernels;
using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Cli.Bench;

/// <summary>The peer's <c>gemm</c>: C = A·B for 2048×2048 float32 matrices of U(0, 1) entries, 5 timed repeats after 1 warm-up.</summary>
public sealed class GemmWorkload : IBenchWorkload
{
    const int N = 2048, Repeats = 5;

    /// <inheritdoc/>
    public string Name => "gemm";
    /// <inheritdoc/>
    public string Description => "2048×2048×2048 float32 matrix product (metric: gflops)";

    /// <inheritdoc/>
    public BenchResult Run()
    {
        var a = new float[N * N];
        var b = new float[N * N];
        var c = new float[N * N];
        Philox.FillUniform(0, 0, 0, a);
        Philox.FillUniform(0, 1, 0, b);
        double seconds = BenchWorkloads.Timed(() => Gemm.Sgemm(false, false, N, N, N, 1f, a, N, b, N, 0f, c, N), Repeats);
        return new BenchResult(Name, "gflops", "GFLOP/s")
            .Add("n", N)
            .Add("gflops", 2.0 * N * N * N / seconds / 1e9)
            .Add("seconds", seconds)
            .Add("threads", ParallelRange.Threads)
            .Add("isa", Gemm.InstructionSet.ToString().ToLowerInvariant());
    }
}
