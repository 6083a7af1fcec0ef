using System.Buffers;
using Thermo.Kernels;
using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Langevin;

/// <summary>
/// Pathwise gradient of a readout loss through the computer's own noisy dynamics: the Euler–Maruyama recursion
/// <code>x_(k+1) = x_k − μΔt (2J2 x_k + 4J4 x_k³ + f + J x_k) + √(2μkTΔt) ξ_k,   f = b + J_in x_in</code>
/// is run with the noise ξ held fixed (the same counter-based noise as <see cref="LangevinSimulator"/>), the loss is
/// softmax cross-entropy of β·x_out(t_f), and the adjoint λ_k = ∂L/∂x_k runs backwards:
/// <code>λ_k = λ_(k+1) − μΔt [(2J2 + 12J4 x_k²) ⊙ λ_(k+1) + J λ_(k+1)],   ∂L/∂f = −μΔt Σ_k λ_(k+1),   ∂L/∂J_ij = −μΔt Σ_k (x_ki λ_(k+1)j + x_kj λ_(k+1)i)</code>
/// (J symmetric, one parameter per pair). This trains the machine for accuracy under exactly the noise it will see.
/// </summary>
public sealed class TrajectoryBackprop
{
    readonly LangevinComputer computer;
    readonly LangevinSchedule schedule;

    /// <summary>Readout inverse temperature β of the softmax (the argmax prediction does not depend on it).</summary>
    public float ReadoutScale { get; set; } = 4f;

    /// <summary>
    /// Weight η of the heat penalty: the loss adds η·Q̂/kT per trajectory, where Q̂ = V(x(0)) − V(x(t_f)) is the heat a
    /// trajectory releases up to fluctuations (moving-unit part of V; x(0) = 0). 0 = accuracy only.
    /// </summary>
    public float HeatPenalty { get; set; }

    /// <summary>Gradient buffers (float) shaped like the computer's parameters; tied entries hold the full pair gradient.</summary>
    public float[] InputCouplingGrad { get; }
    /// <inheritdoc cref="InputCouplingGrad"/>
    public float[] MovingCouplingGrad { get; }
    /// <inheritdoc cref="InputCouplingGrad"/>
    public float[] BiasGrad { get; }

    /// <summary>Creates the trainer state for <paramref name="computer"/> (read at every call) and <paramref name="schedule"/>.</summary>
    public TrajectoryBackprop(LangevinComputer computer, LangevinSchedule schedule)
    {
        schedule.Validate();
        this.computer = computer; this.schedule = schedule;
        InputCouplingGrad = new float[computer.InputCoupling.Length];
        MovingCouplingGrad = new float[computer.MovingCoupling.Length];
        BiasGrad = new float[computer.Bias.Length];
    }

    /// <summary>Mean loss and correct top-1 count of a batch.</summary>
    public readonly record struct BatchResult(double Loss, int Correct, int Rows, double HeatKT = double.NaN);

    /// <summary>
    /// Runs <paramref name="trajectories"/> noisy trajectories per input row ([count × I]), computes the mean
    /// cross-entropy over all rows and, when <paramref name="gradient"/> is set, writes its gradient into the
    /// *Grad buffers. Noise streams are keyed by (firstInput + n, trajectory, salt) as in the simulator;
    /// <paramref name="final"/>, when given, receives x(t_f) [rows × M].
    /// </summary>
    public BatchResult Run(ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, int count, int trajectories, ulong seed, ulong salt, long firstInput,
        bool gradient = true, Span<float> final = default)
    {
        var c = computer;
        int ni = c.Inputs, m = c.Moving, h = c.Hidden, o = c.Outputs, s = schedule.Steps, rows = count * trajectories;
        int mp = (m + 15) & ~15, p = mp / 16;
        if (s < 1) throw new ArgumentException("backprop needs at least one step");
        float a = schedule.Dt * c.Mobility, c2 = 2f * c.J2, c4 = 4f * c.J4, sigma = MathF.Sqrt(2f * c.Mobility * c.KT * schedule.Dt);
        var pool = ArrayPool<float>.Shared;
        float[] fields = pool.Rent(count * m), x = pool.Rent((s + 1) * rows * m), y = pool.Rent(rows * m);
        float[] noise = pool.Rent(rows * 4 * mp), lam = pool.Rent(gradient ? s * rows * m : 1), gf = pool.Rent(rows * m);
        float[] gfIn = pool.Rent(count * m), gj = pool.Rent(m * m);
        var streams = new ulong[rows];
        for (int r = 0; r < rows; r++) streams[r] = Philox.Stream((ulong)(firstInput + r / trajectories), (ulong)(r % trajectories), salt);
        var j = c.MovingCoupling;
        try
        {
            c.InputFields(inputs, count, fields);
            x.AsSpan(0, rows * m).Clear();
            for (int k = 0; k < s; k++)
            {
                if ((k & 3) == 0)
                    ParallelRange.For(rows, 16, (r0, r1) =>
                    {
                        for (int r = r0; r < r1; r++) LangevinNoise.Fill(seed, streams[r], (ulong)k * (ulong)p / 4, noise.AsSpan(r * 4 * mp, 4 * mp));
                    });
                int kk = k;
                var xk = x.AsSpan(k * rows * m, rows * m);
                Gemm.Sgemm(false, false, rows, m, m, 1f, xk, m, j, m, 0f, y, m);
                ParallelRange.For(rows, 64, (r0, r1) =>
                {
                    var xs = x.AsSpan(kk * rows * m, rows * m); var xn = x.AsSpan((kk + 1) * rows * m, rows * m);
                    for (int r = r0; r < r1; r++)
                    {
                        int f0 = r / trajectories * m, z0 = r * 4 * mp + (kk & 3) * mp;
                        for (int i = 0; i < m; i++)
                        {
                            float v = xs[r * m + i];
                            float drift = c2 * v + c4 * v * v * v + fields[f0 + i] + y[r * m + i];
                            xn[r * m + i] = v - a * drift + sigma * noise[z0 + i];
                        }
                    }
                });
            }
            // Readout: softmax cross-entropy of β·x_out(t_f); λ_S = β (softmax − onehot) / rows on the outputs.
            var xs = x.AsSpan(s * rows * m, rows * m);
            if (!final.IsEmpty) xs.CopyTo(final);
            var lamS = gradient ? lam.AsSpan((s - 1) * rows * m, rows * m) : default;
            if (gradient) lamS.Clear();
            double loss = 0;
            int correct = 0;
            float beta = ReadoutScale;
            Span<double> pr = stackalloc double[o];
            for (int r = 0; r < rows; r++)
            {
                var outs = xs.Slice(r * m + h, o);
                int label = labels[r / trajectories];
                double max = double.NegativeInfinity;
                int arg = 0;
                for (int q = 0; q < o; q++) if (outs[q] > max) { max = outs[q]; arg = q; }
                if (arg == label) correct++;
                double z = 0;
                for (int q = 0; q < o; q++) { pr[q] = Math.Exp(beta * (outs[q] - max)); z += pr[q]; }
                loss += -(beta * (outs[label] - max) - Math.Log(z));
                if (gradient)
                    for (int q = 0; q < o; q++) lamS[r * m + h + q] = (float)(beta * (pr[q] / z - (q == label ? 1 : 0)) / rows);
            }
            loss /= rows;
            // Heat proxy Q̂ = −V_moving(x_S) = −Σ_i (J2 x² + J4 x⁴ + f x) − Σ_(i<j) J_ij x_i x_j; y ← J x_S for it and its gradient.
            Gemm.Sgemm(false, false, rows, m, m, 1f, xs, m, j, m, 0f, y, m);
            double heat = 0;
            float eta = HeatPenalty, etaRow = eta / (c.KT * rows);
            for (int r = 0; r < rows; r++)
            {
                int f0 = r / trajectories * m;
                for (int i = 0; i < m; i++)
                {
                    float v = xs[r * m + i];
                    heat -= c.J2 * v * v + c.J4 * v * v * v * v + fields[f0 + i] * v + 0.5 * v * y[r * m + i];
                    if (gradient && eta != 0) lamS[r * m + i] -= etaRow * (c2 * v + c4 * v * v * v + fields[f0 + i] + y[r * m + i]);
                }
            }
            heat /= rows * (double)c.KT;
            loss += eta * heat;
            if (!gradient) return new BatchResult(loss, correct, rows, heat);

            // Adjoint sweep: λ_(k+1) is stored at slot k; gf accumulates Σ_k λ_(k+1).
            gf.AsSpan(0, rows * m).Clear();
            for (int k = s - 1; k >= 0; k--)
            {
                var lk1 = lam.AsSpan(k * rows * m, rows * m);
                int kk = k;
                ParallelRange.For(rows * m, 4096, (e0, e1) =>
                {
                    var l = lam.AsSpan(kk * rows * m, rows * m);
                    for (int e = e0; e < e1; e++) gf[e] += l[e];
                });
                if (k == 0) break;
                Gemm.Sgemm(false, false, rows, m, m, 1f, lk1, m, j, m, 0f, y, m);
                ParallelRange.For(rows * m, 4096, (e0, e1) =>
                {
                    var l = lam.AsSpan(kk * rows * m, rows * m);
                    var lk = lam.AsSpan((kk - 1) * rows * m, rows * m);
                    var xk = x.AsSpan(kk * rows * m, rows * m);
                    for (int e = e0; e < e1; e++)
                    {
                        float v = xk[e];
                        lk[e] = l[e] - a * ((c2 + 3f * c4 * v * v) * l[e] + y[e]);
                    }
                });
            }
            // ∂L/∂J (full matrix, before tying) = −a Σ_k x_kᵀ λ_(k+1): one GEMM over all steps and rows.
            Gemm.Sgemm(true, false, m, m, s * rows, -a, x.AsSpan(0, s * rows * m), m, lam.AsSpan(0, s * rows * m), m, 0f, gj, m);
            if (eta != 0)   // direct term of the heat penalty: ∂(−Σ_(i<j) J_ij x_i x_j)/∂J_ij = −x_i x_j, once per pair
                Gemm.Sgemm(true, false, m, m, rows, -0.5f * etaRow, xs, m, xs, m, 1f, gj, m);
            for (int i = 0; i < m; i++)
                for (int q = 0; q < m; q++)
                    MovingCouplingGrad[i * m + q] = i != q && (c.Classes & c.MovingPairClass(i, q)) != 0 ? gj[i * m + q] + gj[q * m + i] : 0f;
            // ∂L/∂f per input (sum over its trajectories), then ∂L/∂b and ∂L/∂J_in = x_inᵀ ∂L/∂f.
            gfIn.AsSpan(0, count * m).Clear();
            for (int r = 0; r < rows; r++)
                for (int i = 0; i < m; i++) gfIn[r / trajectories * m + i] += -a * gf[r * m + i] - etaRow * xs[r * m + i];
            Array.Clear(BiasGrad);
            for (int n = 0; n < count; n++)
                for (int i = 0; i < m; i++) BiasGrad[i] += gfIn[n * m + i];
            if (ni > 0) Gemm.Sgemm(true, false, ni, m, count, 1f, inputs, ni, gfIn, m, 0f, InputCouplingGrad, m);
            for (int i = 0; i < m; i++)
                if ((c.Classes & c.InputClass(i)) == 0)
                    for (int q = 0; q < ni; q++) InputCouplingGrad[q * m + i] = 0;
            return new BatchResult(loss, correct, rows, heat);
        }
        finally
        {
            foreach (var b in new[] { fields, x, y, noise, lam, gf, gfIn, gj }) pool.Return(b);
        }
    }
}
