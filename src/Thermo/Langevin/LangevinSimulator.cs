using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Thermo.Kernels;
using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Langevin;

/// <summary>Options of one simulator call: how many trajectories, which noise, what to measure.</summary>
public sealed class LangevinRunOptions
{
    /// <summary>Independent trajectories per input (rows = inputs × trajectories, input-major).</summary>
    public int Trajectories { get; init; } = 1;
    /// <summary>Philox key.</summary>
    public ulong Seed { get; init; }
    /// <summary>Third stream coordinate, e.g. an epoch number, so that reruns get fresh noise.</summary>
    public ulong Salt { get; init; }
    /// <summary>Global index of the first input (noise streams are keyed by global input index).</summary>
    public long FirstInput { get; init; }
    /// <summary>Accumulate the heat released to the bath per trajectory (Stratonovich, see <see cref="LangevinSimulator"/>).</summary>
    public bool Heat { get; init; }
    /// <summary>Optional observer of the states.</summary>
    public ILangevinObserver? Observer { get; init; }
}

/// <summary>Result of a run: final moving-unit states and, when requested, the heat per trajectory.</summary>
public sealed class LangevinRun
{
    /// <summary>Rows (inputs × trajectories) and moving units per row.</summary>
    public required int Rows { get; init; }
    /// <inheritdoc cref="Rows"/>
    public required int Moving { get; init; }
    /// <summary>[Rows × Moving] states at t_f.</summary>
    public required float[] Final { get; init; }
    /// <summary>[Rows] heat released to the bath, in units of energy (divide by kT for kT units), or null.</summary>
    public double[]? Heat { get; init; }
}

/// <summary>
/// Overdamped Euler–Maruyama integrator of a <see cref="LangevinComputer"/>:
/// <code>x ← x − Δt μ ∂V/∂x + √(2 μ kT Δt) ξ,   ∂V/∂x_i = 2 J2 x_i + 4 J4 x_i³ + f_i + Σ_j J_ij x_j</code>
/// where f = b + J_in·x_in is the constant field of the clamped input, computed once per input by GEMM. Many inputs ×
/// trajectories run at once; ξ is <see cref="LangevinNoise"/> keyed by (seed, Philox.Stream(input, trajectory, salt)), so
/// results are identical for any thread count.
/// </summary>
/// <remarks>
/// Heat (Sekimoto, Stratonovich): the heat released to the bath over a step is q_k = −∂V(x_mid)·Δx with
/// x_mid = (x_k + x_(k+1))/2, using (J x_k + J x_(k+1))/2 for the coupling term so that no extra matrix product is
/// needed. With a time-independent potential it equals −ΔV up to O(Δt) discretisation error.
/// Kernel: rows are processed four at a time for the whole trajectory with their state, fields, noise and the
/// padded coupling matrix in L1; the coupling product, drift, noise and update are fused (16-lane AVX-512).
/// </remarks>
public static class LangevinSimulator
{
    const int BlockRows = 4;

    /// <summary>Runs trajectories for <paramref name="count"/> normalised input rows ([count × I]).</summary>
    public static LangevinRun Run(LangevinComputer computer, LangevinSchedule schedule, ReadOnlySpan<float> inputs, int count, LangevinRunOptions options)
    {
        int m = computer.Moving;
        var fields = ArrayPool<float>.Shared.Rent(Math.Max(1, count * m));
        try
        {
            computer.InputFields(inputs, count, fields);
            return RunFields(computer, schedule, fields.AsSpan(0, count * m), count, options);
        }
        finally { ArrayPool<float>.Shared.Return(fields); }
    }

    /// <summary>Runs trajectories from precomputed input fields f = b + J_in·x_in ([count × M]).</summary>
    public static LangevinRun RunFields(LangevinComputer computer, LangevinSchedule schedule, ReadOnlySpan<float> fields, int count, LangevinRunOptions options)
    {
        int m = computer.Moving, t = options.Trajectories;
        if (t <= 0) throw new ArgumentException($"trajectories per input must be positive, got {t}");
        int rows = checked(count * t);
        var run = new LangevinRun
        {
            Rows = rows, Moving = m, Final = new float[rows * m], Heat = options.Heat ? new double[rows] : null,
        };
        RunInto(computer, schedule, fields, count, options, run.Final, run.Heat);
        return run;
    }

    /// <summary>Allocation-free form of <see cref="RunFields"/>: writes [rows × M] final states (and heat) into caller buffers.</summary>
    public static void RunInto(LangevinComputer computer, LangevinSchedule schedule, ReadOnlySpan<float> fields, int count,
        LangevinRunOptions options, Span<float> final, Span<double> heat)
    {
        schedule.Validate();
        int m = computer.Moving, t = options.Trajectories;
        int rows = checked(count * t);
        if (fields.Length < (long)count * m) throw new ArgumentException($"fields: expected {count}×{m} values, got {fields.Length}");
        if (final.Length < (long)rows * m) throw new ArgumentException($"final: expected {rows}×{m} values, got {final.Length}");
        if (options.Heat && heat.Length < rows) throw new ArgumentException($"heat: expected {rows} values, got {heat.Length}");
        var plan = Plan.Create(computer, schedule);
        options.Observer?.Begin(rows, m, schedule);
        unsafe
        {
            fixed (float* pf = fields, pFinal = final)
            fixed (double* pHeat = heat)
            {
                var job = new Job(plan, pf, pFinal, options.Heat ? pHeat : null, rows, options);
                // Enough rows per worker to amortise the fork; results never depend on the split.
                ParallelRange.For((rows + BlockRows - 1) / BlockRows, 2, job.Blocks);
            }
        }
    }

    /// <summary>Read-only data shared by all workers of one call.</summary>
    internal sealed class Plan
    {
        public required int M, Mp, P, Steps;
        public required float[] J;          // [M × Mp], row j = couplings of unit j to every unit (symmetric)
        public required float A, C2, C4;          // μΔt, 2 J2, 4 J4
        public required float[] SigmaLanes;  // [Mp]: Sigma on real units, 0 on padding

        public static Plan Create(LangevinComputer c, LangevinSchedule s)
        {
            int m = c.Moving, mp = (m + 15) & ~15;
            var j = new float[m * mp];
            for (int a = 0; a < m; a++)
                for (int b = 0; b < m; b++) j[a * mp + b] = a == b ? 0f : c.MovingCoupling[a * m + b];
            float dtMu = s.Dt * c.Mobility;
            float sigma = MathF.Sqrt(2f * c.Mobility * c.KT * s.Dt);
            var lanes = new float[mp];
            for (int u = 0; u < m; u++) lanes[u] = sigma;
            return new Plan
            {
                M = m, Mp = mp, P = mp / 16, Steps = s.Steps, J = j, A = dtMu, C2 = 2f * c.J2, C4 = 4f * c.J4, SigmaLanes = lanes,
            };
        }
    }

    unsafe sealed class Job(Plan plan, float* fields, float* final, double* heat, int rows, LangevinRunOptions options)
    {
        public void Blocks(int firstBlock, int endBlock)
        {
            int mp = plan.Mp, t = options.Trajectories;
            // Scratch: two state buffers, fields, 4 steps of noise, coupling products (for heat); previous Δx in double.
            int need = BlockRows * mp * (2 + 1 + 4 + 1);
            var scratch = ArrayPool<float>.Shared.Rent(need);
            var dxScratch = ArrayPool<double>.Shared.Rent(BlockRows * mp);
            try
            {
                fixed (float* s = scratch)
                fixed (float* jp = plan.J, sl = plan.SigmaLanes)
                fixed (double* dxPrev = dxScratch)
                {
                    float* xa = s, xb = s + BlockRows * mp, f = xb + BlockRows * mp, noise = f + BlockRows * mp;
                    float* y = noise + 4 * BlockRows * mp;
                    Span<ulong> streams = stackalloc ulong[BlockRows];
                    Span<double> q = stackalloc double[BlockRows];
                    for (int block = firstBlock; block < endBlock; block++)
                    {
                        int row0 = block * BlockRows, nr = Math.Min(BlockRows, rows - row0);
                        for (int r = 0; r < BlockRows; r++)
                        {
                            int row = row0 + Math.Min(r, nr - 1);
                            int input = row / t, traj = row % t;
                            streams[r] = Philox.Stream((ulong)(options.FirstInput + input), (ulong)traj, options.Salt);
                            var src = new ReadOnlySpan<float>(fields + (long)input * plan.M, plan.M);
                            var dst = new Span<float>(f + r * mp, mp);
                            src.CopyTo(dst); dst[plan.M..].Clear();
                        }
                        new Span<float>(xa, BlockRows * mp).Clear();
                        new Span<double>(dxPrev, BlockRows * mp).Clear();
                        q.Clear();
                        options.Observer?.Observe(0, row0, nr, new ReadOnlySpan<float>(xa, BlockRows * mp), mp);
                        float* xo = xa, xn = xb;
                        for (int k = 0; k < plan.Steps; k++)
                        {
                            if ((k & 3) == 0)
                                for (int r = 0; r < BlockRows; r++)
                                    FillNoise(streams[r], (ulong)k * (ulong)plan.P / 4, noise + r * 4 * mp);
                            Step(xo, xn, f, noise + (k & 3) * mp, jp, sl, heat != null ? y : null);
                            if (heat != null) AccumulateHeat(xo, xn, f, y, dxPrev, q, k > 0);
                            options.Observer?.Observe(k + 1, row0, nr, new ReadOnlySpan<float>(xn, BlockRows * mp), mp);
                            float* tmp = xo; xo = xn; xn = tmp;
                        }
                        if (heat != null)
                        {
                            Couple(xo, jp, y);
                            for (int r = 0; r < BlockRows; r++)
                            {
                                double acc = 0;
                                for (int u = 0; u < plan.M; u++) acc += dxPrev[r * mp + u] * y[r * mp + u];
                                q[r] -= 0.5 * acc;
                            }
                        }
                        for (int r = 0; r < nr; r++)
                        {
                            new ReadOnlySpan<float>(xo + r * mp, plan.M).CopyTo(new Span<float>(final + (long)(row0 + r) * plan.M, plan.M));
                            if (heat != null) heat[row0 + r] = q[r];
                        }
                    }
                }
            }
            finally { ArrayPool<float>.Shared.Return(scratch); ArrayPool<double>.Shared.Return(dxScratch); }
        }

        void FillNoise(ulong stream, ulong firstCall, float* dst)
        {
            // Four steps of one row: 4·Mp normals = P calls, numbered from k·P/4.
            if (LangevinNoise.Vectorized)
            {
                int c = 0;
                for (; c + 2 <= plan.P; c += 2) LangevinNoise.FillCallPair512(options.Seed, stream, firstCall + (ulong)c, dst + c * LangevinNoise.CallSize);
                for (; c < plan.P; c++) LangevinNoise.FillCall512(options.Seed, stream, firstCall + (ulong)c, dst + c * LangevinNoise.CallSize);
            }
            else LangevinNoise.Fill(options.Seed, stream, firstCall, new Span<float>(dst, 4 * plan.Mp));
        }

        /// <summary>One Euler–Maruyama step of four rows: xn = xo − A(C2 xo + C4 xo³ + f + J xo) + σ ξ.</summary>
        void Step(float* xo, float* xn, float* f, float* z, float* jp, float* sl, float* yOut)
        {
            int mp = plan.Mp, v = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; v + 4 <= plan.P; v += 4) Panel4(xo, xn, f, z, jp, sl, yOut, v * 16);
                for (; v < plan.P; v++) Panel1(xo, xn, f, z, jp, sl, yOut, v * 16);
                return;
            }
            for (int r = 0; r < BlockRows; r++)
                for (int i = 0; i < plan.M; i++)
                {
                    float acc = 0;
                    for (int j = 0; j < plan.M; j++) acc += xo[r * mp + j] * jp[j * mp + i];
                    if (yOut != null) yOut[r * mp + i] = acc;
                    float x = xo[r * mp + i];
                    float drift = plan.C2 * x + plan.C4 * x * x * x + f[r * mp + i] + acc;
                    xn[r * mp + i] = x - plan.A * drift + sl[i] * z[r * 4 * mp + i];
                }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        void Update(float* xo, float* xn, float* f, float* z, float* sl, float* yOut, int r, int col, Vector512<float> acc)
        {
            int mp = plan.Mp;
            int o = r * mp + col;
            var x = Vector512.Load(xo + o);
            var drift = Vector512.FusedMultiplyAdd(Vector512.Create(plan.C4) * x, x * x, Vector512.FusedMultiplyAdd(Vector512.Create(plan.C2), x, Vector512.Load(f + o) + acc));
            var noise = Vector512.Load(sl + col) * Vector512.Load(z + r * 4 * mp + col);
            Vector512.FusedMultiplyAdd(Vector512.Create(-plan.A), drift, x + noise).Store(xn + o);
            if (yOut != null) acc.Store(yOut + o);
        }

        void Panel4(float* xo, float* xn, float* f, float* z, float* jp, float* sl, float* yOut, int col)
        {
            int mp = plan.Mp, m = plan.M;
            Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
            Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
            Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
            Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
            float* x0 = xo, x1 = xo + mp, x2 = xo + 2 * mp, x3 = xo + 3 * mp;
            float* jr = jp + col;
            for (int j = 0; j < m; j++, jr += mp)
            {
                var j0 = Vector512.Load(jr); var j1 = Vector512.Load(jr + 16); var j2 = Vector512.Load(jr + 32); var j3 = Vector512.Load(jr + 48);
                var b = Vector512.Create(x0[j]);
                a00 = Vector512.FusedMultiplyAdd(b, j0, a00); a01 = Vector512.FusedMultiplyAdd(b, j1, a01); a02 = Vector512.FusedMultiplyAdd(b, j2, a02); a03 = Vector512.FusedMultiplyAdd(b, j3, a03);
                b = Vector512.Create(x1[j]);
                a10 = Vector512.FusedMultiplyAdd(b, j0, a10); a11 = Vector512.FusedMultiplyAdd(b, j1, a11); a12 = Vector512.FusedMultiplyAdd(b, j2, a12); a13 = Vector512.FusedMultiplyAdd(b, j3, a13);
                b = Vector512.Create(x2[j]);
                a20 = Vector512.FusedMultiplyAdd(b, j0, a20); a21 = Vector512.FusedMultiplyAdd(b, j1, a21); a22 = Vector512.FusedMultiplyAdd(b, j2, a22); a23 = Vector512.FusedMultiplyAdd(b, j3, a23);
                b = Vector512.Create(x3[j]);
                a30 = Vector512.FusedMultiplyAdd(b, j0, a30); a31 = Vector512.FusedMultiplyAdd(b, j1, a31); a32 = Vector512.FusedMultiplyAdd(b, j2, a32); a33 = Vector512.FusedMultiplyAdd(b, j3, a33);
            }
            Update(xo, xn, f, z, sl, yOut, 0, col, a00); Update(xo, xn, f, z, sl, yOut, 0, col + 16, a01); Update(xo, xn, f, z, sl, yOut, 0, col + 32, a02); Update(xo, xn, f, z, sl, yOut, 0, col + 48, a03);
            Update(xo, xn, f, z, sl, yOut, 1, col, a10); Update(xo, xn, f, z, sl, yOut, 1, col + 16, a11); Update(xo, xn, f, z, sl, yOut, 1, col + 32, a12); Update(xo, xn, f, z, sl, yOut, 1, col + 48, a13);
            Update(xo, xn, f, z, sl, yOut, 2, col, a20); Update(xo, xn, f, z, sl, yOut, 2, col + 16, a21); Update(xo, xn, f, z, sl, yOut, 2, col + 32, a22); Update(xo, xn, f, z, sl, yOut, 2, col + 48, a23);
            Update(xo, xn, f, z, sl, yOut, 3, col, a30); Update(xo, xn, f, z, sl, yOut, 3, col + 16, a31); Update(xo, xn, f, z, sl, yOut, 3, col + 32, a32); Update(xo, xn, f, z, sl, yOut, 3, col + 48, a33);
        }

        void Panel1(float* xo, float* xn, float* f, float* z, float* jp, float* sl, float* yOut, int col)
        {
            int mp = plan.Mp, m = plan.M;
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            float* x0 = xo, x1 = xo + mp, x2 = xo + 2 * mp, x3 = xo + 3 * mp;
            float* jr = jp + col;
            for (int j = 0; j < m; j++, jr += mp)
            {
                var jv = Vector512.Load(jr);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Create(x0[j]), jv, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Create(x1[j]), jv, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Create(x2[j]), jv, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Create(x3[j]), jv, a3);
            }
            Update(xo, xn, f, z, sl, yOut, 0, col, a0); Update(xo, xn, f, z, sl, yOut, 1, col, a1);
            Update(xo, xn, f, z, sl, yOut, 2, col, a2); Update(xo, xn, f, z, sl, yOut, 3, col, a3);
        }

        void Couple(float* x, float* jp, float* y)
        {
            int mp = plan.Mp;
            for (int r = 0; r < BlockRows; r++)
                for (int i = 0; i < plan.M; i++)
                {
                    float acc = 0;
                    for (int j = 0; j < plan.M; j++) acc += x[r * mp + j] * jp[j * mp + i];
                    y[r * mp + i] = acc;
                }
        }

        /// <summary>q −= Δx·(∂V(x_mid) with half of J x_k) + Δx_prev·(J x_k)/2: the lagged Stratonovich sum.</summary>
        void AccumulateHeat(float* xo, float* xn, float* f, float* y, double* dxPrev, Span<double> q, bool hasPrev)
        {
            int mp = plan.Mp;
            for (int r = 0; r < BlockRows; r++)
            {
                double acc = 0;
                for (int u = 0; u < plan.M; u++)
                {
                    int o = r * mp + u;
                    double a = xo[o], b = xn[o], dx = b - a, xm = 0.5 * (a + b);
                    double half = 0.5 * y[o];
                    double g = plan.C2 * xm + plan.C4 * xm * xm * xm + f[o] + half;
                    acc += dx * g;
                    if (hasPrev) acc += dxPrev[o] * half;
                    dxPrev[o] = dx;
                }
                q[r] -= acc;
            }
        }
    }
}
