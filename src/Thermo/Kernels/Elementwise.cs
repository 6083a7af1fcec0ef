using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Thermo.Kernels;

/// <summary>
/// Vectorised elementwise passes of the autograd operations (forward and backward). Each computes, lane by lane,
/// exactly the scalar expression in its summary (the same operations in the same order, no fused multiply–add), so
/// it is bit-identical to a plain loop; long spans are split across threads, which cannot change an elementwise
/// result. Backward passes write d into <c>sink</c> when <c>overwrite</c> (a fresh gradient buffer), else add it.
/// Two-input passes, forward or backward, share one driver (<c>Zip</c>: sink = op(g, x), or sink += op(g, x)).
/// </summary>
public static unsafe class Elementwise
{
    /// <summary>Elements per thread below which a pass stays on the calling thread.</summary>
    const int ChunkPerThread = 1 << 15;

    /// <summary>
    /// body(start, end) over [0, <paramref name="count"/>) items that hold <paramref name="elements"/> values in all: on
    /// the calling thread when short, else in contiguous pieces across the threads (for work whose result does not
    /// depend on how the items are split).
    /// </summary>
    public static void For(int count, long elements, Action<int, int> body)
    {
        if (elements < 2 * ChunkPerThread || count < 2) body(0, count);
        else KernelParallel.For(count, KernelParallel.Pieces(4), body);
    }

    /// <summary>y = x ≥ 0 ? +1 : −1 (sign with sign(0) = +1; NaN gives −1).</summary>
    public static void Sign(ReadOnlySpan<float> x, Span<float> y) => Map(new SignOp(), x, y);

    /// <summary>y = x &gt; t ? +1 : −1 (one threshold of a thermometer code).</summary>
    public static void Threshold(ReadOnlySpan<float> x, float threshold, Span<float> y) => Map(new ThresholdOp(threshold), x, y);

    /// <summary>y = (x + b)·s (the sum rounded, then the product, as an add followed by a scale).</summary>
    public static void AddThenScale(ReadOnlySpan<float> x, float b, float s, Span<float> y) => Map(new AddThenScaleOp(b, s), x, y);

    /// <summary>y = 1 − x·x.</summary>
    public static void OneMinusSquare(ReadOnlySpan<float> x, Span<float> y) => Map(new OneMinusSquareOp(), x, y);

    /// <summary>Backward of relu: d = x &gt; 0 ? g : 0.</summary>
    public static void ReluBackward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, Span<float> sink, bool overwrite) =>
        Zip(new PassOp<AbovePositive>(), g, x, sink, overwrite);

    /// <summary>Backward of clamp(x, −1, 1): d = −1 &lt; x &lt; 1 ? g : 0.</summary>
    public static void HardTanhBackward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, Span<float> sink, bool overwrite) =>
        Zip(new PassOp<InsideOpenUnit>(), g, x, sink, overwrite);

    /// <summary>Straight-through backward of sign: d = −1 ≤ x ≤ 1 ? g : 0.</summary>
    public static void SignSteBackward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, Span<float> sink, bool overwrite) =>
        Zip(new PassOp<InsideClosedUnit>(), g, x, sink, overwrite);

    /// <summary>Backward of |x|: d = sign(x)·g with sign(±0) = 0 (NaN propagates).</summary>
    public static void AbsBackward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, Span<float> sink, bool overwrite) =>
        Zip(new SignTimesOp(), g, x, sink, overwrite);

    /// <summary>d = (factor·x)·g: the backward of x² (factor 2) and of 1 − x² (factor −2).</summary>
    public static void ScaledProductBackward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, float factor, Span<float> sink, bool overwrite) =>
        Zip(new ScaledProductOp(factor), g, x, sink, overwrite);

    /// <summary>Backward of the logistic σ from its output: d = (g·y)·(1 − y).</summary>
    public static void SigmoidBackward(ReadOnlySpan<float> g, ReadOnlySpan<float> y, Span<float> sink, bool overwrite) =>
        Zip(new SigmoidOp(), g, y, sink, overwrite);

    /// <summary>y = a + s·b (the product rounded, then the sum, as a scale followed by an add).</summary>
    public static void AddScaled(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float s, Span<float> y) =>
        Zip(new AddScaledOp(s), a, b, y, overwrite: true);

    /// <summary>y = (a − b)·(a − b).</summary>
    public static void SquaredDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) =>
        Zip(new SquaredDifferenceOp(), a, b, y, overwrite: true);

    /// <summary>
    /// Backward of mean((a − b)²) with g/n = <paramref name="gOverN"/>: d = (2·(a − b))·gOverN, added to (or written
    /// into, when its overwrite flag is set) <paramref name="sinkA"/> and subtracted from (or its negation written into)
    /// <paramref name="sinkB"/>, in one pass. Either sink may be empty (no gradient wanted).
    /// </summary>
    public static void SquaredDifferenceBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float gOverN,
        Span<float> sinkA, bool overwriteA, Span<float> sinkB, bool overwriteB)
    {
        bool wantA = !sinkA.IsEmpty, wantB = !sinkB.IsEmpty;
        if (b.Length != a.Length || (wantA && sinkA.Length != a.Length) || (wantB && sinkB.Length != a.Length))
            throw new ArgumentException($"squared-difference backward: lengths {a.Length}, {b.Length}, {sinkA.Length}, {sinkB.Length} differ");
        fixed (float* pa = a, pb = b, psa = sinkA, psb = sinkB)
        {
            nint sa = (nint)pa, sb = (nint)pb, ssa = wantA ? (nint)psa : 0, ssb = wantB ? (nint)psb : 0;
            For(a.Length, a.Length, (s, e) => SquaredDifferenceBackwardRange((float*)sa + s, (float*)sb + s, gOverN,
                ssa == 0 ? null : (float*)ssa + s, overwriteA, ssb == 0 ? null : (float*)ssb + s, overwriteB, e - s));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void SquaredDifferenceBackwardRange(float* a, float* b, float gOverN, float* sinkA, bool overwriteA,
        float* sinkB, bool overwriteB, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var two = Vector256.Create(2f); var gv = Vector256.Create(gOverN);
            for (; i + 8 <= n; i += 8)
            {
                var d = two * (Vector256.Load(a + i) - Vector256.Load(b + i)) * gv;
                if (sinkA != null) Vector256.Store(overwriteA ? d : Vector256.Load(sinkA + i) + d, sinkA + i);
                if (sinkB != null) Vector256.Store(overwriteB ? -d : Vector256.Load(sinkB + i) - d, sinkB + i);
            }
        }
        for (; i < n; i++)
        {
            float d = 2f * (a[i] - b[i]) * gOverN;
            if (sinkA != null) sinkA[i] = overwriteA ? d : sinkA[i] + d;
            if (sinkB != null) sinkB[i] = overwriteB ? -d : sinkB[i] - d;
        }
    }

    /// <summary>sink = contribution when <paramref name="overwrite"/>, else sink + contribution.</summary>
    public static void Accumulate(ReadOnlySpan<float> contribution, Span<float> sink, bool overwrite) =>
        Zip(new IdentityOp(), contribution, contribution, sink, overwrite);

    // ---- drivers ----

    static void Map<T>(T op, ReadOnlySpan<float> x, Span<float> y) where T : struct, IMapOp
    {
        if (y.Length != x.Length) throw new ArgumentException($"elementwise map: output has {y.Length} elements, input {x.Length}");
        fixed (float* px = x, py = y)
        {
            if (x.Length < 2 * ChunkPerThread) MapRange(op, px, py, x.Length);
            else MapThreaded(op, px, py, x.Length);
        }
    }

    // Separate from the callers so that the closure is only allocated on this path.
    static void MapThreaded<T>(T op, float* x, float* y, int n) where T : struct, IMapOp
    {
        nint sx = (nint)x, sy = (nint)y;
        KernelParallel.For(n, KernelParallel.Pieces(4), (s, e) => MapRange(op, (float*)sx + s, (float*)sy + s, e - s));
    }

    static void Zip<T>(T op, ReadOnlySpan<float> g, ReadOnlySpan<float> x, Span<float> sink, bool overwrite) where T : struct, IZipOp
    {
        if (g.Length != x.Length || sink.Length != g.Length)
            throw new ArgumentException($"elementwise backward: lengths {g.Length} (gradient), {x.Length} (input), {sink.Length} (sink) differ");
        fixed (float* pg = g, px = x, ps = sink)
        {
            if (g.Length < 2 * ChunkPerThread) ZipRange(op, pg, px, ps, g.Length, overwrite);
            else ZipThreaded(op, pg, px, ps, g.Length, overwrite);
        }
    }

    static void ZipThreaded<T>(T op, float* g, float* x, float* sink, int n, bool overwrite) where T : struct, IZipOp
    {
        nint sg = (nint)g, sx = (nint)x, ss = (nint)sink;
        KernelParallel.For(n, KernelParallel.Pieces(4), (s, e) =>
            ZipRange(op, (float*)sg + s, (float*)sx + s, (float*)ss + s, e - s, overwrite));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void MapRange<T>(T op, float* x, float* y, int n) where T : struct, IMapOp
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= n; i += 16) Vector512.Store(op.Apply(Vector512.Load(x + i)), y + i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= n; i += 8) Vector256.Store(op.Apply(Vector256.Load(x + i)), y + i);
        for (; i < n; i++) y[i] = op.Apply(x[i]);
    }

    // 256-bit lanes even where 512-bit ones exist: with two or three streams in and one out, 512-bit loads of arrays
    // that are only 16-byte aligned all straddle cache lines, and these passes measured 10–25 % slower that way.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ZipRange<T>(T op, float* g, float* x, float* sink, int n, bool overwrite) where T : struct, IZipOp
    {
        int i = 0;
        if (overwrite)
        {
            if (Vector256.IsHardwareAccelerated)
                for (; i + 8 <= n; i += 8) Vector256.Store(op.Apply(Vector256.Load(g + i), Vector256.Load(x + i)), sink + i);
            for (; i < n; i++) sink[i] = op.Apply(g[i], x[i]);
        }
        else
        {
            if (Vector256.IsHardwareAccelerated)
                for (; i + 8 <= n; i += 8)
                    Vector256.Store(Vector256.Load(sink + i) + op.Apply(Vector256.Load(g + i), Vector256.Load(x + i)), sink + i);
            for (; i < n; i++) sink[i] += op.Apply(g[i], x[i]);
        }
    }

    // ---- operations: the scalar form is the definition, the vector forms repeat it lane by lane ----

    interface IMapOp
    {
        float Apply(float x);
        Vector512<float> Apply(Vector512<float> x);
        Vector256<float> Apply(Vector256<float> x);
    }

    interface IZipOp
    {
        float Apply(float g, float x);
        Vector256<float> Apply(Vector256<float> g, Vector256<float> x);
    }

    readonly struct SignOp : IMapOp
    {
        public float Apply(float x) => x >= 0f ? 1f : -1f;
        public Vector512<float> Apply(Vector512<float> x) =>
            Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512<float>.Zero), Vector512<float>.One, Vector512.Create(-1f));
        public Vector256<float> Apply(Vector256<float> x) =>
            Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<float>.Zero), Vector256<float>.One, Vector256.Create(-1f));
    }

    readonly struct ThresholdOp(float t) : IMapOp
    {
        public float Apply(float x) => x > t ? 1f : -1f;
        public Vector512<float> Apply(Vector512<float> x) =>
            Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(t)), Vector512<float>.One, Vector512.Create(-1f));
        public Vector256<float> Apply(Vector256<float> x) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(t)), Vector256<float>.One, Vector256.Create(-1f));
    }

    readonly struct AddThenScaleOp(float b, float s) : IMapOp
    {
        public float Apply(float x) => (x + b) * s;
        public Vector512<float> Apply(Vector512<float> x) => (x + Vector512.Create(b)) * Vector512.Create(s);
        public Vector256<float> Apply(Vector256<float> x) => (x + Vector256.Create(b)) * Vector256.Create(s);
    }

    readonly struct OneMinusSquareOp : IMapOp
    {
        public float Apply(float x) => 1f - x * x;
        public Vector512<float> Apply(Vector512<float> x) => Vector512<float>.One - x * x;
        public Vector256<float> Apply(Vector256<float> x) => Vector256<float>.One - x * x;
    }

    interface IWindow
    {
        static abstract bool Contains(float x);
        static abstract Vector256<float> Contains(Vector256<float> x);
    }

    readonly struct AbovePositive : IWindow
    {
        public static bool Contains(float x) => x > 0f;
        public static Vector256<float> Contains(Vector256<float> x) => Vector256.GreaterThan(x, Vector256<float>.Zero);
    }

    readonly struct InsideOpenUnit : IWindow
    {
        public static bool Contains(float x) => x > -1f && x < 1f;
        public static Vector256<float> Contains(Vector256<float> x) =>
            Vector256.GreaterThan(x, Vector256.Create(-1f)) & Vector256.LessThan(x, Vector256<float>.One);
    }

    readonly struct InsideClosedUnit : IWindow
    {
        public static bool Contains(float x) => x >= -1f && x <= 1f;
        public static Vector256<float> Contains(Vector256<float> x) =>
            Vector256.GreaterThanOrEqual(x, Vector256.Create(-1f)) & Vector256.LessThanOrEqual(x, Vector256<float>.One);
    }

    /// <summary>d = x in the window ? g : 0 (the mask's all-zero lanes give +0, as the scalar 0f).</summary>
    readonly struct PassOp<TWindow> : IZipOp where TWindow : struct, IWindow
    {
        public float Apply(float g, float x) => TWindow.Contains(x) ? g : 0f;
        public Vector256<float> Apply(Vector256<float> g, Vector256<float> x) => g & TWindow.Contains(x);
    }

    readonly struct SignTimesOp : IZipOp
    {
        // x − x is +0 for ±0 and NaN for NaN: sign(±0) = 0, and NaN propagates where MathF.Sign would throw.
        public float Apply(float g, float x) => (x > 0f ? 1f : x < 0f ? -1f : x - x) * g;
        public Vector256<float> Apply(Vector256<float> g, Vector256<float> x) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), Vector256<float>.One,
                Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), Vector256.Create(-1f), x - x)) * g;
    }

    readonly struct ScaledProductOp(float factor) : IZipOp
    {
        public float Apply(float g, float x) => factor * x * g;
        public Vector256<float> Apply(Vector256<float> g, Vector256<float> x) => Vector256.Create(factor) * x * g;
    }

    readonly struct SigmoidOp : IZipOp
    {
        public float Apply(float g, float y) => g * y * (1f - y);
        public Vector256<float> Apply(Vector256<float> g, Vector256<float> y) => g * y * (Vector256<float>.One - y);
    }

    readonly struct AddScaledOp(float s) : IZipOp
    {
        public float Apply(float a, float b) => a + s * b;
        public Vector256<float> Apply(Vector256<float> a, Vector256<float> b) => a + Vector256.Create(s) * b;
    }

    readonly struct SquaredDifferenceOp : IZipOp
    {
        public float Apply(float a, float b) => (a - b) * (a - b);
        public Vector256<float> Apply(Vector256<float> a, Vector256<float> b) => (a - b) * (a - b);
    }

    readonly struct IdentityOp : IZipOp
    {
        public float Apply(float g, float x) => g;
        public Vector256<float> Apply(Vector256<float> g, Vector256<float> x) => g;
    }
}
