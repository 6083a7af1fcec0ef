using Thermo.Kernels;
using Thermo.Langevin;
using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Cli.Bench;

/// <summary>
/// The peer's <c>langevin</c>: 1000 inputs of 784 clamped units, 74 moving units with all-to-all couplings,
/// V = Σ(x² + x⁴) + b·x + Σ_(i&lt;j) J_ij x_i x_j, Euler–Maruyama Δt = 1e-3, kT = 1, 200 steps from x = 0.
/// Parameter scales as the peer: J_in ~ N(0, 0.05²), J = (A + Aᵀ)/2 with A ~ N(0, 0.05²) and zero diagonal,
/// b ~ N(0, 0.1²), inputs ~ N(0, 1). Each timed call computes the input fields (GEMM) and runs all trajectories;
/// 3 timed repeats after 1 warm-up.
/// </summary>
public sealed class LangevinWorkload : IBenchWorkload
{
    const int Digits = 1000, Inputs = 784, Hidden = 64, Outputs = 10, Steps = 200, Repeats = 3;

    /// <inheritdoc/>
    public string Name => "langevin";
    /// <inheritdoc/>
    public string Description => "1000 Langevin trajectories, 784 clamped + 74 moving units, 200 Euler–Maruyama steps (metric: trajectories_per_second)";

    /// <inheritdoc/>
    public BenchResult Run()
    {
        var c = new LangevinComputer(Inputs, Hidden, Outputs, CouplingClasses.Published);
        int m = c.Moving;
        Philox.FillNormal(0, 1, 0, c.InputCoupling);
        for (int i = 0; i < c.InputCoupling.Length; i++) c.InputCoupling[i] *= 0.05f;
        var a = new float[m * m];
        Philox.FillNormal(0, 2, 0, a);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) c.MovingCoupling[i * m + j] = i == j ? 0f : 0.5f * 0.05f * (a[i * m + j] + a[j * m + i]);
        var b = new float[(m + 3) & ~3];
        Philox.FillNormal(0, 3, 0, b);
        for (int i = 0; i < m; i++) c.Bias[i] = 0.1f * b[i];
        var inputs = new float[Digits * Inputs];
        Philox.FillNormal(0, 4, 0, inputs);
        var schedule = new LangevinSchedule(1e-3f, Steps);
        var fields = new float[Digits * m];
        var final = new float[Digits * m];
        ulong call = 0;

        double seconds = BenchWorkloads.Timed(() =>
        {
            c.InputFields(inputs, Digits, fields);
            LangevinSimulator.RunInto(c, schedule, fields, Digits, new LangevinRunOptions { Seed = 0, Salt = call++ }, final, default);
        }, Repeats);
        double mean = 0;
        foreach (float v in final) mean += v;
        return new BenchResult(Name, "trajectories_per_second", "trajectories/s")
            .Add("digits", Digits)
            .Add("steps", Steps)
            .Add("trajectories_per_second", Digits / seconds)
            .Add("unit_steps_per_second", (double)Digits * m * Steps / seconds)
            .Add("seconds", seconds)
            .Add("mean_final_state", mean / final.Length)
            .Add("threads", ParallelRange.Threads)
            .Add("noise", LangevinNoise.Vectorized ? "philox4x32-10 box-muller avx512" : "philox4x32-10 box-muller scalar")
            .Add("isa", Gemm.InstructionSet.ToString().ToLowerInvariant());
    }
}
