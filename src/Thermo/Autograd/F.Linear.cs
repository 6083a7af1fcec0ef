using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Thermo.Kernels;
using Thermo.Tensors;

namespace Thermo.Autograd;

public static partial class F
{
    /// <summary>C = op(A) · op(B) for 2-D tensors, op = identity or transpose.</summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transA = false, bool transB = false)
    {
        if (a.Rank != 2 || b.Rank != 2) throw new ArgumentException($"MatMul needs 2-D tensors, got {a.ShapeString} and {b.ShapeString}");
        int m = transA ? a.Shape[1] : a.Shape[0], k = transA ? a.Shape[0] : a.Shape[1];
        int kb = transB ? b.Shape[1] : b.Shape[0], n = transB ? b.Shape[0] : b.Shape[1];
        if (k != kb) throw new ArgumentException($"MatMul: inner dimensions differ ({a.ShapeString}{(transA ? "ᵀ" : "")} · {b.ShapeString}{(transB ? "ᵀ" : "")})");
        int lda = a.Shape[1], ldb = b.Shape[1];
        var c = Tensor.Empty(m, n);
        Gemm.Sgemm(transA, transB, m, n, k, 1f, a.Data, lda, b.Data, ldb, 0f, c.Data, n);
        return Record(c, g =>
        {
            if (a.RequiresGrad)
            {
                // dA = dC · op(B)ᵀ (or its transpose when A was transposed)
                var sink = GradBuffer.Sink(a, out bool ow);
                if (!transA) Gemm.Sgemm(false, !transB, m, k, n, 1f, g.Data, n, b.Data, ldb, ow ? 0f : 1f, sink, lda);
                else Gemm.Sgemm(transB, true, k, m, n, 1f, b.Data, ldb, g.Data, n, ow ? 0f : 1f, sink, lda);
            }
            if (b.RequiresGrad)
            {
                // dB = op(A)ᵀ · dC (or its transpose when B was transposed)
                var sink = GradBuffer.Sink(b, out bool ow);
                if (!transB) Gemm.Sgemm(!transA, false, k, n, m, 1f, a.Data, lda, g.Data, n, ow ? 0f : 1f, sink, ldb);
                else Gemm.Sgemm(true, transA, n, k, m, 1f, g.Data, n, a.Data, lda, ow ? 0f : 1f, sink, ldb);
            }
        }, a, b);
    }

    /// <summary>Adds a per-channel bias along dimension 1: y[n, c, ...] = x[n, c, ...] + b[c].</summary>
    public static Tensor AddBias(Tensor x, Tensor bias) => AddBias(x, bias, 1f);

    /// <summary>
    /// Adds a per-channel bias along dimension 1 and scales: y[n, c, ...] = s·(x[n, c, ...] + b[c]), which is
    /// <c>Scale(AddBias(x, b), s)</c> in one pass, with the same result and gradients.
    /// </summary>
    public static Tensor AddBias(Tensor x, Tensor bias, float scale)
    {
        int channels = x.Shape[1];
        if (bias.Length != channels) throw new ArgumentException($"bias has {bias.Length} elements, input {x.ShapeString} has {channels} channels");
        int inner = x.Length / (x.Shape[0] * channels), outer = x.Shape[0];
        var y = Tensor.Empty(x.Shape);
        var xd = x.Data; var yd = y.Data; var bd = bias.Data;
        void AddRows(int r0, int r1)
        {
            for (int r = r0; r < r1; r++)
                if (scale == 1f) TensorPrimitives.Add(xd.AsSpan(r * inner, inner), bd[r % channels], yd.AsSpan(r * inner, inner));
                else Elementwise.AddThenScale(xd.AsSpan(r * inner, inner), bd[r % channels], scale, yd.AsSpan(r * inner, inner));
        }
        Elementwise.For(outer * channels, x.Length, AddRows);
        return Record(y, g =>
        {
            if (scale == 1f)
            {
                if (x.RequiresGrad) GradBuffer.Accumulate(x, g.Data);
                if (bias.RequiresGrad) ReduceToChannels(bias, g.Data, outer, channels, inner);
                return;
            }
            // s·g goes straight into x's gradient when that is fresh, else into a scope-owned scratch tensor first.
            bool overwrite = false;
            float[]? xSink = x.RequiresGrad ? GradBuffer.Sink(x, out overwrite) : null;
            bool intoSink = xSink is not null && overwrite;
            var scaled = intoSink ? xSink! : Tensor.Empty(g.Shape).Data;
            Unary(g.Data, scaled, (p, r) => TensorPrimitives.Multiply(p, scale, r));
            if (xSink is not null && !intoSink) Elementwise.Accumulate(scaled, xSink, overwrite: false);
            if (bias.RequiresGrad) ReduceToChannels(bias, scaled, outer, channels, inner);
        }, x, bias);
    }

    internal static void ReduceToChannels(Tensor bias, float[] g, int outer, int channels, int inner)
    {
        var sink = GradBuffer.Sink(bias, out bool ow);
        for (int c = 0; c < channels; c++)
        {
            float s = 0;
            for (int n = 0; n < outer; n++) s += TensorPrimitives.Sum(g.AsSpan((n * channels + c) * inner, inner));
            sink[c] = ow ? s : sink[c] + s;
        }
    }

    /// <summary>Affine map y = x · Wᵀ + b with x [N, in], W [out, in], b [out] (optional).</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        if (x.Rank != 2 || weight.Rank != 2 || x.Shape[1] != weight.Shape[1])
            throw new ArgumentException($"Linear: input {x.ShapeString} does not fit weight {weight.ShapeString} (expected [N, {weight.Shape[^1]}])");
        var y = MatMul(x, weight, transB: true);
        return bias is null ? y : AddBias(y, bias);
    }
}
