using ILGPU;
using ILGPU.Runtime;

namespace Thermo.Devices;

/// <summary>
/// The kernels of device training loaded for one accelerator, with launch helpers: the implicit-GEMM convolutions and
/// dense products of <see cref="DeviceCoupling"/>, the reductions and elementwise kernels of <see cref="TrainingKernels"/>.
/// Launches are asynchronous on the accelerator's default stream; copy results back to synchronise.
/// </summary>
internal sealed class DeviceTrainingOps
{
    readonly Action<KernelConfig, GemmArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>> gemm;
    readonly Action<KernelConfig, ReduceArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>> reduce;
    readonly Action<KernelConfig, ReduceArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float> bnStats;
    readonly Action<KernelConfig, ReduceArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> bnBackSums;
    readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> encode;
    readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> bnApply;
    readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> bnBackward;
    readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, int> feedbackTanh;
    readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, int, int> addBiasScale;
    readonly Action<Index1D, ArrayView<float>, ArrayView<float>> spinVariance;
    readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> outputTanh;
    readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ulong, ulong, float> readoutNoise;
    readonly Action<Index1D, ArrayView<float>, ArrayView<float>> sign;
    readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, float> readoutLoss;
    readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> signBackward;
    readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float> readoutNoiseBackward;
    readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, int> outputTanhBackward;
    readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> tanhBackward;
    readonly Action<Index1D, ArrayView<float>, ArrayView<float>, float> addScaled;
    readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float> residualBackward;
    readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> spinVarianceBackward;
    readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> absSquare;
    readonly Action<Index1D, ArrayView<float>, ArrayView<float>, float, float> penaltyGradient;
    readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> weightFromAbsSquare;
    readonly Action<Index1D, AdamWArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> adamW;
    readonly Action<Index1D, ArrayView<float>, float> fill;

    /// <summary>The accelerator the kernels run on.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>Threads per side of a GEMM block (16, or 4 where the accelerator allows fewer than 256 threads per group) and threads of a reduction block (a power of two).</summary>
    readonly int side, reduceThreads;

    /// <summary>Compiles (or fetches from ILGPU's cache) every kernel for <paramref name="accelerator"/>.</summary>
    public DeviceTrainingOps(Accelerator accelerator)
    {
        Accelerator = accelerator;
        var a = accelerator;
        side = accelerator.MaxNumThreadsPerGroup >= 256 ? DeviceGemmKernels.MaxSide : 4;
        reduceThreads = Math.Min(TrainingKernels.ReduceThreads, 1 << (int)Math.Log2(accelerator.MaxNumThreadsPerGroup));
        gemm = a.LoadStreamKernel<GemmArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>>(DeviceGemmKernels.Tiled);
        reduce = a.LoadStreamKernel<ReduceArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>>(TrainingKernels.Reduce);
        bnStats = a.LoadStreamKernel<ReduceArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float>(TrainingKernels.BatchNormStats);
        bnBackSums = a.LoadStreamKernel<ReduceArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(TrainingKernels.BatchNormBackwardSums);
        encode = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(TrainingKernels.Encode);
        bnApply = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(TrainingKernels.BatchNormApply);
        bnBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>(TrainingKernels.BatchNormBackward);
        feedbackTanh = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, int>(TrainingKernels.FeedbackTanh);
        addBiasScale = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, int, int>(TrainingKernels.AddBiasScale);
        spinVariance = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(TrainingKernels.SpinVariance);
        outputTanh = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(TrainingKernels.OutputTanh);
        readoutNoise = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ulong, ulong, float>(TrainingKernels.ReadoutNoise);
        sign = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(TrainingKernels.Sign);
        readoutLoss = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, float>(TrainingKernels.ReadoutLoss);
        signBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(TrainingKernels.SignBackward);
        readoutNoiseBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>(TrainingKernels.ReadoutNoiseBackward);
        outputTanhBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, int>(TrainingKernels.OutputTanhBackward);
        tanhBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(TrainingKernels.TanhBackward);
        addScaled = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float>(TrainingKernels.AddScaled);
        residualBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>(TrainingKernels.ResidualBackward);
        spinVarianceBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(TrainingKernels.SpinVarianceBackward);
        absSquare = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(TrainingKernels.AbsSquare);
        penaltyGradient = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float, float>(TrainingKernels.PenaltyGradient);
        weightFromAbsSquare = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(TrainingKernels.WeightFromAbsSquare);
        adamW = a.LoadAutoGroupedStreamKernel<Index1D, AdamWArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(TrainingKernels.AdamW);
        fill = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(TrainingKernels.Fill);
    }

    /// <summary>C = α·A·B (+ C) through the operand modes of <paramref name="g"/>.</summary>
    public void Gemm(GemmArgs g, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        if (g.M == 0 || g.N == 0) return;
        int tile = 4 * side;
        gemm(new KernelConfig(new Index2D((g.N + tile - 1) / tile, (g.M + tile - 1) / tile), new Index2D(side, side)), g, a, b, c);
    }

    /// <summary>out[s] (+)= the reduction of segment s (see <see cref="ReduceArgs"/>).</summary>
    public void Reduce(ReduceArgs r, ArrayView<float> x, ArrayView<float> y, ArrayView<float> output) =>
        reduce(new KernelConfig(r.Segments, reduceThreads), r, x, y, output);

    /// <summary>Σx of a whole vector into out[0] (or added to it).</summary>
    public void Sum(ArrayView<float> x, ArrayView<float> output, bool accumulate = false) =>
        Reduce(new ReduceArgs { Outer = 1, Segments = 1, Inner = (int)x.Length, Mode = ReduceMode.Sum, Accumulate = accumulate ? 1 : 0 }, x, x, output);

    /// <summary>Per-channel Σx of an NCHW tensor [n, channels, inner] into out[c] (or added to it).</summary>
    public void ChannelSums(ArrayView<float> x, int n, int channels, int inner, ArrayView<float> output, bool accumulate) =>
        Reduce(new ReduceArgs { Outer = n, Segments = channels, Inner = inner, Mode = ReduceMode.Sum, Accumulate = accumulate ? 1 : 0 }, x, x, output);

    /// <summary>Batch statistics and running-statistics update of an NCHW tensor.</summary>
    public void BatchNormStats(ArrayView<float> z, int n, int channels, int inner, ArrayView<float> mean, ArrayView<float> invStd,
        ArrayView<float> runningMean, ArrayView<float> runningVar, float momentum, float eps) =>
        bnStats(new KernelConfig(channels, reduceThreads), new ReduceArgs { Outer = n, Segments = channels, Inner = inner },
            z, mean, invStd, runningMean, runningVar, momentum, eps);

    /// <summary>Σg and Σg·x̂ per channel.</summary>
    public void BatchNormBackwardSums(ArrayView<float> g, ArrayView<float> z, int n, int channels, int inner, ArrayView<float> mean,
        ArrayView<float> invStd, ArrayView<float> sumG, ArrayView<float> sumGX) =>
        bnBackSums(new KernelConfig(channels, reduceThreads), new ReduceArgs { Outer = n, Segments = channels, Inner = inner },
            g, z, mean, invStd, sumG, sumGX);

    /// <summary>The thermometer code of [n·C, plane] pixels into [n·C·K, plane] spins.</summary>
    public void Encode(ArrayView<float> images, ArrayView<float> thresholds, ArrayView<float> output, int levels, int plane) =>
        encode((int)output.Length, images, thresholds, output, levels, plane);

    public void BatchNormApply(ArrayView<float> z, ArrayView<float> mean, ArrayView<float> invStd, ArrayView<float> gamma, ArrayView<float> beta,
        ArrayView<float> y, int channels, int inner) => bnApply((int)y.Length, z, mean, invStd, gamma, beta, y, channels, inner);

    public void BatchNormBackward(ArrayView<float> g, ArrayView<float> z, ArrayView<float> mean, ArrayView<float> invStd, ArrayView<float> gamma,
        ArrayView<float> sumG, ArrayView<float> sumGX, ArrayView<float> dz, int channels, int inner, int count) =>
        bnBackward((int)dz.Length, g, z, mean, invStd, gamma, sumG, sumGX, dz, channels, inner, count);

    public void FeedbackTanh(ArrayView<float> a, ArrayView<float> t, ArrayView<float> mh, float delta, bool feedback) =>
        feedbackTanh((int)mh.Length, a, t, mh, delta, feedback ? 1 : 0);

    public void AddBiasScale(ArrayView<float> y, ArrayView<float> bias, ArrayView<float> mu, float delta, int channels, int inner) =>
        addBiasScale((int)mu.Length, y, bias, mu, delta, channels, inner);

    public void SpinVariance(ArrayView<float> m, ArrayView<float> s) => spinVariance((int)s.Length, m, s);

    public void OutputTanh(ArrayView<float> mu, ArrayView<float> v, ArrayView<float> r, ArrayView<float> mo, bool withVariance) =>
        outputTanh((int)mo.Length, mu, v, r, mo, withVariance ? 1 : 0);

    public void ReadoutNoise(ArrayView<float> m, ArrayView<float> eps, ArrayView<float> y, ulong seed, ulong stream, float invG) =>
        readoutNoise((int)y.Length, m, eps, y, seed, stream, invG);

    public void Sign(ArrayView<float> y, ArrayView<float> x) => sign((int)x.Length, y, x);

    public void ReadoutLoss(ArrayView<float> x, ArrayView<int> labels, ArrayView<float> scale, ArrayView<float> gx, ArrayView<float> rowLoss,
        ArrayView<float> rowScaleGrad, ArrayView<float> work, int classes, int population, int rows, float smoothing) =>
        readoutLoss(rows, x, labels, scale, gx, rowLoss, rowScaleGrad, work, classes, population, rows, smoothing);

    public void SignBackward(ArrayView<float> g, ArrayView<float> y, ArrayView<float> output) => signBackward((int)output.Length, g, y, output);

    public void ReadoutNoiseBackward(ArrayView<float> g, ArrayView<float> m, ArrayView<float> eps, ArrayView<float> output, float invG) =>
        readoutNoiseBackward((int)output.Length, g, m, eps, output, invG);

    public void OutputTanhBackward(ArrayView<float> g, ArrayView<float> mu, ArrayView<float> v, ArrayView<float> r, ArrayView<float> mo,
        ArrayView<float> gMu, ArrayView<float> gV, float delta, bool withVariance) =>
        outputTanhBackward((int)gMu.Length, g, mu, v, r, mo, gMu, gV, delta, withVariance ? 1 : 0);

    public void TanhBackward(ArrayView<float> g, ArrayView<float> m, ArrayView<float> output) => tanhBackward((int)output.Length, g, m, output);

    public void AddScaled(ArrayView<float> x, ArrayView<float> g, float c) => addScaled((int)g.Length, x, g, c);

    public void ResidualBackward(ArrayView<float> now, ArrayView<float> before, ArrayView<float> gNow, ArrayView<float> gBefore, float c) =>
        residualBackward((int)now.Length, now, before, gNow, gBefore, c);

    public void SpinVarianceBackward(ArrayView<float> m, ArrayView<float> gs, ArrayView<float> gm) => spinVarianceBackward((int)gm.Length, m, gs, gm);

    public void AbsSquare(ArrayView<float> w, ArrayView<float> abs, ArrayView<float> square) => absSquare((int)w.Length, w, abs, square);

    public void PenaltyGradient(ArrayView<float> rows, ArrayView<float> g, float bound, float c) => penaltyGradient((int)g.Length, rows, g, bound, c);

    public void WeightFromAbsSquare(ArrayView<float> w, ArrayView<float> gAbs, ArrayView<float> gSquare, ArrayView<float> gw) =>
        weightFromAbsSquare((int)w.Length, w, gAbs, gSquare, gw);

    public void AdamW(AdamWArgs args, ArrayView<float> p, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v) =>
        adamW((int)p.Length, args, p, g, m, v);

    public void Fill(ArrayView<float> x, float value)
    {
        if (x.Length > 0) fill((int)x.Length, x, value);
    }
}
