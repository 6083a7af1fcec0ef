using ILGPU;
using ILGPU.Runtime;
using Thermo.Blocks;
using Thermo.Devices;
using Thermo.Optim;
using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Training;

/// <summary>
/// Trains an <see cref="IsingBlockNet"/> on an ILGPU accelerator: the surrogate's forward pass (thermometer code, per
/// block BN(W₁x), mean-field passes m_h = tanh(a + δW₂ᵀm_o), m_o = tanh(μ) or E[tanh Z] with the propagated variance,
/// readout noise of G samples from the CPU's Philox streams, straight-through signs), the loss (softmax cross-entropy of
/// scale·scores, the fixed-point residual, the magnitude penalty), its backward pass written out by hand, and AdamW, all
/// on the device with the convolutions as implicit GEMMs (<see cref="DeviceTrainingOps"/>). Parameters, gradients and
/// the optimiser's moments stay on the device; one batch uploads its images and labels and reads back a handful of
/// scalars. The same step as the CPU engine up to float rounding (sum order, e^x, ln x, tanh); see docs/gpu.md.
/// </summary>
public sealed class DeviceTrainingEngine : ITrainingEngine
{
    sealed class Parameter(string name, Tensor host, MemoryBuffer1D<float, Stride1D.Dense> value, MemoryBuffer1D<float, Stride1D.Dense> grad,
        MemoryBuffer1D<float, Stride1D.Dense> m, MemoryBuffer1D<float, Stride1D.Dense> v)
    {
        public string Name { get; } = name;
        public Tensor Host { get; } = host;
        public ArrayView<float> Value { get; } = value.View;
        public ArrayView<float> Grad { get; } = grad.View;
        public ArrayView<float> M { get; } = m.View;
        public ArrayView<float> V { get; } = v.View;
    }

    sealed class Block
    {
        public required IsingBlock Host;
        public required DeviceCoupling Hid, Out;
        public required Parameter W1, Gamma, Beta, W2, B2;
        public required ArrayView<float> RunningMean, RunningVar;
        public required ArrayView<float> Mean, InvStd, W2Abs, W2Sq, GAbs, GSq, OutRows, HidRows, GOut, GHid;
        // Activations of the current batch size.
        public ArrayView<float> X, Z, A, T, S, Eps, Y, GY, GMu, GV, GS, GU, GA, GZ, GX;
        public ArrayView<float>[] Mh = [], Mu = [], V = [], R = [], Mo = [], GMo = [], GMh = [];
        public int HiddenChannels => Hid.O;
        public int HiddenInner => Hid.OH * Hid.OW;
        public int OutputChannels => Out.O;
        public int OutputInner => Out.OH * Out.OW;
    }

    readonly ComputeDevice device;
    readonly DeviceTrainingOps ops;
    readonly IsingBlockNet net;
    readonly AdamW optimizer;
    readonly List<Parameter> parameters = new();
    readonly List<Block> blocks = new();
    readonly Parameter scale;
    readonly List<MemoryBuffer> owned = new(), activations = new();
    readonly ArrayView<float> thresholds, ones, scalars;
    readonly float[] scalarsHost;
    ArrayView<float> images, rowLoss, rowScaleGrad, work;
    ArrayView<int> labels;
    int batch = -1;
    long stepCount;

    /// <summary>
    /// Uploads the model (parameters, batch-norm statistics) and the optimiser's state. Refuses what the device engine
    /// does not implement: other optimisers, quantisation-aware fine-tuning (quantised or masked couplings, folded norms).
    /// </summary>
    public DeviceTrainingEngine(ComputeDevice device, IsingBlockNet net, Optimizer optimizer)
    {
        if (optimizer is not AdamW adam)
            throw new ArgumentException($"device training implements AdamW only, this run uses {optimizer.GetType().Name}: train on --device cpu");
        foreach (var b in net.Blocks)
        {
            if (b.NormFolded || b.Hidden.Bits < 32 || b.Output.Bits < 32 || b.Hidden.Mask is not null || b.Output.Mask is not null)
                throw new ArgumentException("device training does not implement quantisation-aware fine-tuning (quantised or masked couplings, folded batch norm) yet: train on --device cpu");
        }
        this.device = device; this.net = net; optimizer = adam; this.optimizer = adam;
        ops = new DeviceTrainingOps(device.Accelerator);
        var state = adam.StateDict();
        var byTensor = new Dictionary<Tensor, Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var (name, t) in net.NamedParameters())
        {
            var p = new Parameter(name, t, Upload(t.Data), Allocate(t.Length), Upload(state[$"{name}.exp_avg"].Data), Upload(state[$"{name}.exp_avg_sq"].Data));
            parameters.Add(p);
            byTensor[t] = p;
        }
        stepCount = adam.StepCount;
        scale = byTensor[net.Scale];
        int onesLength = 1;
        foreach (var b in net.Blocks)
        {
            var hid = Geometry(b.Hidden);
            var @out = Geometry(b.Output);
            onesLength = Math.Max(onesLength, Math.Max(@out.UpperSize, @out.RowLength));
            blocks.Add(new Block
            {
                Host = b, Hid = hid, Out = @out,
                W1 = byTensor[b.Hidden.Weight], Gamma = byTensor[b.HiddenNorm.Gamma], Beta = byTensor[b.HiddenNorm.Beta],
                W2 = byTensor[b.Output.Weight], B2 = byTensor[b.OutputBias],
                RunningMean = Upload(b.HiddenNorm.RunningMean.Data).View, RunningVar = Upload(b.HiddenNorm.RunningVar.Data).View,
                Mean = Allocate(hid.O).View, InvStd = Allocate(hid.O).View,
                W2Abs = Allocate(@out.WeightSize).View, W2Sq = Allocate(@out.WeightSize).View,
                GAbs = Allocate(@out.WeightSize).View, GSq = Allocate(@out.WeightSize).View,
                OutRows = Allocate(@out.O).View, HidRows = Allocate(@out.LowerSize).View,
                GOut = Allocate(@out.O).View, GHid = Allocate(@out.LowerSize).View,
            });
        }
        thresholds = Upload(net.Thresholds).View;
        ones = Allocate(onesLength).View;
        ops.Fill(ones, 1f);
        scalarsHost = new float[1 + 5 * blocks.Count];
        scalars = Allocate(scalarsHost.Length).View;
    }

    /// <inheritdoc/>
    public string Description => device.ToString();

    static DeviceCoupling Geometry(BlockCoupling c) => c switch
    {
        ConvBlockCoupling conv => DeviceCoupling.Convolution(conv.LowerShape[0], conv.LowerShape[1], conv.LowerShape[2], conv.UpperShape[0], conv.Kernel, conv.Stride, conv.Padding),
        _ => DeviceCoupling.Dense(c.LowerShape.Aggregate(1, (a, b) => a * b), c.UpperShape[0]),
    };

    MemoryBuffer1D<float, Stride1D.Dense> Allocate(long length, List<MemoryBuffer>? into = null)
    {
        var b = device.Accelerator.Allocate1D<float>(Math.Max(1, length));
        b.MemSetToZero();
        (into ?? owned).Add(b);
        return b;
    }

    MemoryBuffer1D<float, Stride1D.Dense> Upload(float[] data)
    {
        var b = Allocate(data.Length);
        if (data.Length > 0) b.View.SubView(0, data.Length).CopyFromCPU(data);
        return b;
    }

    void Prepare(int n)
    {
        if (n == batch) return;
        foreach (var b in activations) b.Dispose();
        activations.Clear();
        ArrayView<float> A(long length) => Allocate(length, activations).View.SubView(0, length);
        int iterations = net.Objective.Iterations;
        foreach (var b in blocks)
        {
            long sx = (long)n * b.Hid.LowerSize, sh = (long)n * b.Hid.UpperSize, so = (long)n * b.Out.UpperSize;
            b.X = A(sx); b.Z = A(sh); b.A = A(sh); b.T = A(sh); b.S = A(sh);
            b.Eps = A(so); b.Y = A(so); b.GY = A(so); b.GMu = A(so); b.GV = A(so);
            b.GS = A(sh); b.GU = A(sh); b.GA = A(sh); b.GZ = A(sh); b.GX = A(sx);
            b.Mh = new ArrayView<float>[iterations]; b.GMh = new ArrayView<float>[iterations];
            b.Mu = new ArrayView<float>[iterations]; b.V = new ArrayView<float>[iterations]; b.R = new ArrayView<float>[iterations];
            b.Mo = new ArrayView<float>[iterations]; b.GMo = new ArrayView<float>[iterations];
            for (int it = 0; it < iterations; it++)
            {
                b.Mh[it] = A(sh); b.GMh[it] = A(sh);
                b.Mu[it] = A(so); b.V[it] = A(so); b.R[it] = A(so); b.Mo[it] = A(so); b.GMo[it] = A(so);
            }
        }
        int inputs = net.Blocks[0].InputShape.Aggregate(1, (a, c) => a * c) / net.Thresholds.Length;
        images = A((long)n * inputs);
        rowLoss = A(n); rowScaleGrad = A(n); work = A((long)n * net.Classes);
        var l = device.Accelerator.Allocate1D<int>(n);
        activations.Add(l);
        labels = l.View;
        batch = n;
    }

    /// <inheritdoc/>
    public double ComputeGradients(Tensor images, int[] labels, long step, IDictionary<string, double> metrics)
    {
        int n = images.Shape[0];
        if (labels.Length != n) throw new ArgumentException($"{labels.Length} labels for {n} images");
        foreach (int y in labels)
            if ((uint)y >= (uint)net.Classes) throw new ArgumentException($"CrossEntropy: label {y} outside [0, {net.Classes})");
        Prepare(n);
        this.images.CopyFromCPU(images.Data);
        this.labels.CopyFromCPU(labels);
        foreach (var p in parameters) ops.Fill(p.Grad, 0f);
        var objective = net.Objective;
        int iterations = objective.Iterations, channels = images.Shape[1], plane = images.Length / (n * channels);
        ops.Encode(this.images, thresholds, blocks[0].X, net.Thresholds.Length, plane);
        for (int bi = 0; bi < blocks.Count; bi++)
        {
            var b = blocks[bi];
            Forward(b, bi, n, step, iterations, objective);
            if (bi + 1 < blocks.Count) ops.Sign(Output(b, objective), blocks[bi + 1].X);
        }
        var last = blocks[^1];
        ops.ReadoutLoss(Output(last, objective), this.labels, scale.Value, last.GY, rowLoss, rowScaleGrad, work, net.Classes, net.Population, n, objective.LabelSmoothing);
        ops.Sum(rowLoss, scalars.SubView(0, 1));
        ops.Sum(rowScaleGrad, scale.Grad);
        for (int bi = 0; bi < blocks.Count; bi++)
            if (objective.MagnitudeWeight > 0) Penalty(blocks[bi], bi, objective);
        for (int bi = blocks.Count - 1; bi >= 0; bi--)
        {
            var b = blocks[bi];
            if (bi < blocks.Count - 1) ops.SignBackward(blocks[bi + 1].GX, Output(b, objective), b.GY);
            Backward(b, bi, n, iterations, objective);
        }
        scalars.CopyToCPU(scalarsHost);
        float ce = (float)(scalarsHost[0] / (double)n);
        metrics["ce"] = ce;
        float loss = ce;
        if (iterations > 1 && objective.FixedPointWeight > 0)
        {
            float residual = 0;
            for (int bi = 0; bi < blocks.Count; bi++) residual += scalarsHost[1 + 5 * bi] / ((long)n * blocks[bi].Hid.UpperSize);
            metrics["fixed_point"] = residual;
            loss += residual * objective.FixedPointWeight;
        }
        if (objective.MagnitudeWeight > 0)
        {
            float magnitude = 0, worstOut = 0, worstHid = 0;
            for (int bi = 0; bi < blocks.Count; bi++)
            {
                int at = 1 + 5 * bi;
                magnitude += scalarsHost[at + 1] / blocks[bi].Out.O + scalarsHost[at + 2] / blocks[bi].Out.LowerSize;
                worstOut = MathF.Max(worstOut, scalarsHost[at + 3]); worstHid = MathF.Max(worstHid, scalarsHost[at + 4]);
            }
            metrics["alpha_out"] = worstOut; metrics["alpha_hid"] = worstHid;
            loss += magnitude * objective.MagnitudeWeight;
        }
        return loss;
    }

    /// <summary>The block's output as the next block (or the readout) sees it: the noisy readout, or m_o without noise.</summary>
    ArrayView<float> Output(Block b, BlockObjective objective) => objective.Samples > 0 ? b.Y : b.Mo[^1];

    static bool WithVariance(BlockObjective objective, int it, int iterations) => objective.PropagateVariance && (it > 0 || iterations == 1);

    void Forward(Block b, int index, int n, long step, int iterations, BlockObjective objective)
    {
        var norm = b.Host.HiddenNorm;
        float delta = b.Host.Delta;
        ops.Gemm(b.Hid.Forward(n), b.W1.Value, b.X, b.Z);
        ops.BatchNormStats(b.Z, n, b.HiddenChannels, b.HiddenInner, b.Mean, b.InvStd, b.RunningMean, b.RunningVar, norm.Momentum, norm.Eps);
        ops.BatchNormApply(b.Z, b.Mean, b.InvStd, b.Gamma.Value, b.Beta.Value, b.A, b.HiddenChannels, b.HiddenInner);
        ops.AbsSquare(b.W2.Value, b.W2Abs, b.W2Sq);
        for (int it = 0; it < iterations; it++)
        {
            if (it > 0) ops.Gemm(b.Out.BackwardData(n), b.W2.Value, b.Mo[it - 1], b.T);
            ops.FeedbackTanh(b.A, b.T, b.Mh[it], delta, it > 0);
            if (it > 0 && it == iterations - 1)
                ops.Reduce(new ReduceArgs { Outer = 1, Segments = 1, Inner = (int)b.Mh[it].Length, Mode = ReduceMode.SquaredDifference },
                    b.Mh[it], b.Mh[it - 1], scalars.SubView(1 + 5 * index, 1));
            // μ = δ(W₂m_h + b₂): the product goes to μ's buffer, then bias and δ in place.
            ops.Gemm(b.Out.Forward(n), b.W2.Value, b.Mh[it], b.Mu[it]);
            ops.AddBiasScale(b.Mu[it], b.B2.Value, b.Mu[it], delta, b.OutputChannels, b.OutputInner);
            bool variance = WithVariance(objective, it, iterations);
            if (variance)
            {
                ops.SpinVariance(b.Mh[it], b.S);
                ops.Gemm(b.Out.Forward(n, delta * delta), b.W2Sq, b.S, b.V[it]);
            }
            ops.OutputTanh(b.Mu[it], b.V[it], b.R[it], b.Mo[it], variance);
        }
        if (objective.Samples > 0)
            ops.ReadoutNoise(b.Mo[^1], b.Eps, b.Y, net.NoiseSeed, Philox.Stream((ulong)step, (ulong)index, 0x5EED), 1f / objective.Samples);
    }

    void Penalty(Block b, int index, BlockObjective objective)
    {
        float delta = b.Host.Delta, weight = objective.MagnitudeWeight;
        int rows = b.Out.O, length = b.Out.RowLength, lower = b.Out.LowerSize;
        var s = scalars.SubView(1 + 5 * index, 5);
        // Row sums δΣ_j|W₂,kj| of output units (W₂ as an O × L matrix times ones) and δΣ_k|W₂,kj| of hidden units (W₂ᵀ·1).
        ops.Gemm(new GemmArgs { M = rows, N = 1, K = length, Am = length, Ak = 1, Bk = 1, Cm = 1, Alpha = delta }, b.W2Abs, ones, b.OutRows);
        ops.Gemm(b.Out.BackwardData(1, delta), b.W2Abs, ones, b.HidRows);
        ops.Reduce(new ReduceArgs { Outer = 1, Segments = 1, Inner = rows, Mode = ReduceMode.ReluSquares, Bound = objective.OutputBound }, b.OutRows, b.OutRows, s.SubView(1, 1));
        ops.Reduce(new ReduceArgs { Outer = 1, Segments = 1, Inner = lower, Mode = ReduceMode.ReluSquares, Bound = objective.HiddenBound }, b.HidRows, b.HidRows, s.SubView(2, 1));
        ops.Reduce(new ReduceArgs { Outer = 1, Segments = 1, Inner = rows, Mode = ReduceMode.Max }, b.OutRows, b.OutRows, s.SubView(3, 1));
        ops.Reduce(new ReduceArgs { Outer = 1, Segments = 1, Inner = lower, Mode = ReduceMode.Max }, b.HidRows, b.HidRows, s.SubView(4, 1));
        ops.PenaltyGradient(b.OutRows, b.GOut, objective.OutputBound, weight * delta / rows);
        ops.PenaltyGradient(b.HidRows, b.GHid, objective.HiddenBound, weight * delta / lower);
        // ∂/∂|W₂|: the output rows' gradient along each row (an outer product with ones), the hidden rows' through W₂ᵀ·1.
        ops.Gemm(new GemmArgs { M = rows, N = length, K = 1, Am = 1, Bn = 1, Cm = length, Cn = 1, Alpha = 1, Accumulate = 1 }, b.GOut, ones, b.GAbs);
        ops.Gemm(b.Out.BackwardWeight(1, 1f, accumulate: true), ones, b.GHid, b.GAbs);
    }

    void Backward(Block b, int index, int n, int iterations, BlockObjective objective)
    {
        float delta = b.Host.Delta;
        var gLast = b.GMo[^1];
        if (objective.Samples > 0) ops.ReadoutNoiseBackward(b.GY, b.Mo[^1], b.Eps, gLast, 1f / objective.Samples);
        else { ops.Fill(gLast, 0f); ops.AddScaled(b.GY, gLast, 1f); }
        for (int it = 0; it < iterations - 1; it++) ops.Fill(b.GMo[it], 0f);
        for (int it = 0; it < iterations; it++) ops.Fill(b.GMh[it], 0f);
        ops.Fill(b.GA, 0f);
        for (int it = iterations - 1; it >= 0; it--)
        {
            bool variance = WithVariance(objective, it, iterations);
            // gMu, gV: gradients of W₂m_h + b₂ and of (W₂∘W₂)(1 − m_h²), δ and δ² included.
            ops.OutputTanhBackward(b.GMo[it], b.Mu[it], b.V[it], b.R[it], b.Mo[it], b.GMu, b.GV, delta, variance);
            ops.ChannelSums(b.GMu, n, b.OutputChannels, b.OutputInner, b.B2.Grad, accumulate: true);
            ops.Gemm(b.Out.BackwardWeight(n, 1f, accumulate: true), b.GMu, b.Mh[it], b.W2.Grad);
            ops.Gemm(b.Out.BackwardData(n, 1f, accumulate: true), b.W2.Value, b.GMu, b.GMh[it]);
            if (variance)
            {
                ops.SpinVariance(b.Mh[it], b.S);
                ops.Gemm(b.Out.BackwardWeight(n, 1f, accumulate: true), b.GV, b.S, b.GSq);
                ops.Gemm(b.Out.BackwardData(n), b.W2Sq, b.GV, b.GS);
                ops.SpinVarianceBackward(b.Mh[it], b.GS, b.GMh[it]);
            }
            if (it > 0 && it == iterations - 1 && objective.FixedPointWeight > 0)
                ops.ResidualBackward(b.Mh[it], b.Mh[it - 1], b.GMh[it], b.GMh[it - 1], 2f * objective.FixedPointWeight / b.Mh[it].Length);
            ops.TanhBackward(b.GMh[it], b.Mh[it], b.GU);
            ops.AddScaled(b.GU, b.GA, 1f);
            if (it > 0)
            {
                // u = a + δ·W₂ᵀm_o: m_o gets δ·W₂·g_u, W₂ gets δ·Σ m_o ⊗ g_u.
                ops.Gemm(b.Out.Forward(n, delta, accumulate: true), b.W2.Value, b.GU, b.GMo[it - 1]);
                ops.Gemm(b.Out.BackwardWeight(n, delta, accumulate: true), b.Mo[it - 1], b.GU, b.W2.Grad);
            }
        }
        ops.WeightFromAbsSquare(b.W2.Value, b.GAbs, b.GSq, b.W2.Grad);
        ops.Fill(b.GAbs, 0f);
        ops.Fill(b.GSq, 0f);
        ops.BatchNormBackwardSums(b.GA, b.Z, n, b.HiddenChannels, b.HiddenInner, b.Mean, b.InvStd, b.Beta.Grad, b.Gamma.Grad);
        ops.BatchNormBackward(b.GA, b.Z, b.Mean, b.InvStd, b.Gamma.Value, b.Beta.Grad, b.Gamma.Grad, b.GZ, b.HiddenChannels, b.HiddenInner, n * b.HiddenInner);
        ops.Gemm(b.Hid.BackwardWeight(n), b.GZ, b.X, b.W1.Grad);
        if (index > 0) ops.Gemm(b.Hid.BackwardData(n), b.W1.Value, b.GZ, b.GX);
    }

    /// <inheritdoc/>
    public void Step()
    {
        stepCount++;
        float b1 = optimizer.Beta1, b2 = optimizer.Beta2, lr = optimizer.LearningRate;
        float c1 = 1f / (1f - MathF.Pow(b1, stepCount)), c2 = 1f / (1f - MathF.Pow(b2, stepCount));
        var args = new AdamWArgs
        {
            Beta1 = b1, Beta2 = b2, OneMinusBeta1 = 1 - b1, OneMinusBeta2 = 1 - b2,
            LrC1 = lr * c1, C2 = c2, Eps = optimizer.Eps, Decay = 1f - lr * optimizer.WeightDecay,
        };
        foreach (var p in parameters) ops.AdamW(args, p.Value, p.Grad, p.M, p.V);
    }

    /// <inheritdoc/>
    public void Pull()
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var p in parameters)
        {
            p.Value.SubView(0, p.Host.Length).CopyToCPU(p.Host.Data);
            var m = new float[p.Host.Length];
            var v = new float[p.Host.Length];
            p.M.SubView(0, m.Length).CopyToCPU(m);
            p.V.SubView(0, v.Length).CopyToCPU(v);
            state[$"{p.Name}.exp_avg"] = new Tensor(m, p.Host.Shape);
            state[$"{p.Name}.exp_avg_sq"] = new Tensor(v, p.Host.Shape);
        }
        state["step"] = new Tensor([stepCount], 1);
        optimizer.LoadStateDict(state);
        foreach (var b in blocks)
        {
            b.RunningMean.SubView(0, b.Host.HiddenNorm.Channels).CopyToCPU(b.Host.HiddenNorm.RunningMean.Data);
            b.RunningVar.SubView(0, b.Host.HiddenNorm.Channels).CopyToCPU(b.Host.HiddenNorm.RunningVar.Data);
        }
    }

    /// <summary>A copy of the gradient of parameter <paramref name="name"/> from the last <see cref="ComputeGradients"/> (for checks against the CPU engine).</summary>
    public float[] Gradient(string name)
    {
        var p = parameters.First(q => q.Name == name);
        var g = new float[p.Host.Length];
        p.Grad.SubView(0, g.Length).CopyToCPU(g);
        return g;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var b in activations) b.Dispose();
        foreach (var b in owned) b.Dispose();
        activations.Clear(); owned.Clear();
    }
}
