using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Thermo.Kernels;
using Thermo.Tensors;

namespace Thermo.Autograd;

/// <summary>
/// Differentiable operations (the functional API, like <c>torch.nn.functional</c>). Each records a
/// backward function when grad mode is on and an input requires grad.
/// </summary>
public static partial class F
{
    internal static Tensor Record(Tensor output, Action<Tensor> backward, params Tensor[] inputs)
    {
        if (!GradMode.Enabled) return output;
        foreach (var input in inputs)
        {
            if (!input.RequiresGrad) continue;
            output.RequiresGrad = true;
            output.GradFn = new GradFn(inputs, backward);
            GradMode.CountRecorded();
            break;
        }
        return output;
    }

    static void SameShape(Tensor a, Tensor b, string op)
    {
        if (!a.Shape.AsSpan().SequenceEqual(b.Shape))
            throw new ArgumentException($"{op}: shapes {a.ShapeString} and {b.ShapeString} differ");
    }

    /// <summary>View with a new shape (one dimension may be -1). Shares storage.</summary>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        shape = (int[])shape.Clone();
        int infer = Array.IndexOf(shape, -1);
        if (infer >= 0)
        {
            long rest = 1;
            for (int i = 0; i < shape.Length; i++) if (i != infer) rest *= shape[i];
            if (rest == 0 || x.Length % rest != 0) throw new ArgumentException($"cannot reshape {x.ShapeString} to [{string.Join(", ", shape)}]");
            shape[infer] = (int)(x.Length / rest);
        }
        if (Tensor.ShapeSize(shape) != x.Length) throw new ArgumentException($"cannot reshape {x.ShapeString} ({x.Length} elements) to [{string.Join(", ", shape)}]");
        var y = new Tensor(x.Data, shape);
        return Record(y, g => GradBuffer.Accumulate(x, g.Data), x);
    }

    /// <summary>Flattens all dimensions after the first: [N, ...] → [N, prod(...)].</summary>
    public static Tensor Flatten(Tensor x) => Reshape(x, x.Shape[0], -1);

    /// <summary>a + b (same shape).</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        SameShape(a, b, "Add");
        var y = Tensor.Empty(a.Shape);
        Binary(a.Data, b.Data, y.Data, static (p, q, r) => TensorPrimitives.Add(p, q, r));
        return Record(y, g =>
        {
            if (a.RequiresGrad) GradBuffer.Accumulate(a, g.Data);
            if (b.RequiresGrad) GradBuffer.Accumulate(b, g.Data);
        }, a, b);
    }

    /// <summary>a − b (same shape).</summary>
    public static Tensor Sub(Tensor a, Tensor b)
    {
        SameShape(a, b, "Sub");
        var y = Tensor.Empty(a.Shape);
        Binary(a.Data, b.Data, y.Data, static (p, q, r) => TensorPrimitives.Subtract(p, q, r));
        return Record(y, g =>
        {
            if (a.RequiresGrad) GradBuffer.Accumulate(a, g.Data);
            if (b.RequiresGrad) AccumulateScaled(b, g.Data, -1f);
        }, a, b);
    }

    /// <summary>a + s·b (same shape): <c>Add(a, Scale(b, s))</c> in one pass, with the same result and gradients.</summary>
    public static Tensor AddScaled(Tensor a, Tensor b, float s)
    {
        SameShape(a, b, "AddScaled");
        var y = Tensor.Empty(a.Shape);
        Elementwise.AddScaled(a.Data, b.Data, s, y.Data);
        return Record(y, g =>
        {
            if (a.RequiresGrad) GradBuffer.Accumulate(a, g.Data);
            if (b.RequiresGrad) AccumulateScaled(b, g.Data, s);
        }, a, b);
    }

    /// <summary>
    /// mean((a − b)²) (scalar, same shapes): <c>Mean(Square(Sub(a, b)))</c> without its two intermediate tensors, with the
    /// same result and gradients.
    /// </summary>
    public static Tensor MeanSquaredDifference(Tensor a, Tensor b)
    {
        SameShape(a, b, "MeanSquaredDifference");
        float mean = 0;
        if (a.Length > 0)
        {
            // Scope-owned, like every step tensor, so that the pool's capacity counts it (TensorPool.CapacityFloats).
            var squares = Tensor.Empty(a.Shape).Data;
            Elementwise.SquaredDifference(a.Data, b.Data, squares);
            mean = TensorPrimitives.Sum(squares) / a.Length;
        }
        return Record(Tensor.Scalar(mean), g =>
        {
            float gOverN = g.Data[0] / a.Length;
            Span<float> sinkA = default, sinkB = default;
            bool overwriteA = false, overwriteB = false;
            if (a.RequiresGrad) sinkA = GradBuffer.Sink(a, out overwriteA);
            if (b.RequiresGrad) sinkB = GradBuffer.Sink(b, out overwriteB);
            Elementwise.SquaredDifferenceBackward(a.Data, b.Data, gOverN, sinkA, overwriteA, sinkB, overwriteB);
        }, a, b);
    }

    /// <summary>a ⊙ b (same shape).</summary>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        SameShape(a, b, "Mul");
        var y = Tensor.Empty(a.Shape);
        Binary(a.Data, b.Data, y.Data, static (p, q, r) => TensorPrimitives.Multiply(p, q, r));
        return Record(y, g =>
        {
            if (a.RequiresGrad) AccumulateProduct(a, g.Data, b.Data);
            if (b.RequiresGrad) AccumulateProduct(b, g.Data, a.Data);
        }, a, b);
    }

    /// <summary>s · x.</summary>
    public static Tensor Scale(Tensor x, float s)
    {
        var y = Tensor.Empty(x.Shape);
        Unary(x.Data, y.Data, (p, r) => TensorPrimitives.Multiply(p, s, r));
        return Record(y, g => AccumulateScaled(x, g.Data, s), x);
    }

    /// <summary>x + s.</summary>
    public static Tensor AddScalar(Tensor x, float s)
    {
        var y = Tensor.Empty(x.Shape);
        Unary(x.Data, y.Data, (p, r) => TensorPrimitives.Add(p, s, r));
        return Record(y, g => GradBuffer.Accumulate(x, g.Data), x);
    }

    /// <summary>tanh(x); dy/dx = 1 − y².</summary>
    public static Tensor Tanh(Tensor x)
    {
        var y = Tensor.Empty(x.Shape);
        Kernels.Activations.Tanh(x.Data, y.Data);
        return Record(y, g =>
        {
            var sink = GradBuffer.Sink(x, out bool overwrite);
            Kernels.Activations.TanhBackward(g.Data, y.Data, sink, overwrite);
        }, x);
    }

    /// <summary>σ(x) = 1/(1+e^−x); dy/dx = y(1 − y).</summary>
    public static Tensor Sigmoid(Tensor x)
    {
        var y = Tensor.Empty(x.Shape);
        Unary(x.Data, y.Data, static (p, r) => TensorPrimitives.Sigmoid(p, r));
        return Record(y, g =>
        {
            var sink = GradBuffer.Sink(x, out bool overwrite);
            Elementwise.SigmoidBackward(g.Data, y.Data, sink, overwrite);
        }, x);
    }

    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor x)
    {
        var y = Tensor.Empty(x.Shape);
        Unary(x.Data, y.Data, static (p, r) => TensorPrimitives.Max(p, 0f, r));
        return Record(y, g =>
        {
            var sink = GradBuffer.Sink(x, out bool overwrite);
            Elementwise.ReluBackward(g.Data, x.Data, sink, overwrite);
        }, x);
    }

    /// <summary>clamp(x, −1, 1); gradient passes where −1 &lt; x &lt; 1.</summary>
    public static Tensor HardTanh(Tensor x)
    {
        var y = Tensor.Empty(x.Shape);
        Unary(x.Data, y.Data, static (p, r) => TensorPrimitives.Clamp(p, -1f, 1f, r));
        return Record(y, g =>
        {
            var sink = GradBuffer.Sink(x, out bool overwrite);
            Elementwise.HardTanhBackward(g.Data, x.Data, sink, overwrite);
        }, x);
    }

    /// <summary>
    /// sign(x) ∈ {−1, +1} (sign(0) = +1) with the straight-through estimator: the gradient passes unchanged
    /// where |x| ≤ 1 and is zero elsewhere (Hubara et al. 2016).
    /// </summary>
    public static Tensor SignSte(Tensor x)
    {
        var y = Tensor.Empty(x.Shape);
        Elementwise.Sign(x.Data, y.Data);
        return Record(y, g =>
        {
            var sink = GradBuffer.Sink(x, out bool overwrite);
            Elementwise.SignSteBackward(g.Data, x.Data, sink, overwrite);
        }, x);
    }

    /// <summary>x² elementwise.</summary>
    public static Tensor Square(Tensor x)
    {
        var y = Tensor.Empty(x.Shape);
        Binary(x.Data, x.Data, y.Data, static (p, q, r) => TensorPrimitives.Multiply(p, q, r));
        return Record(y, g =>
        {
            var sink = GradBuffer.Sink(x, out bool overwrite);
            Elementwise.ScaledProductBackward(g.Data, x.Data, 2f, sink, overwrite);
        }, x);
    }

    /// <summary>|x| elementwise (subgradient 0 at 0).</summary>
    public static Tensor Abs(Tensor x)
    {
        var y = Tensor.Empty(x.Shape);
        Unary(x.Data, y.Data, static (p, r) => TensorPrimitives.Abs(p, r));
        return Record(y, g =>
        {
            var sink = GradBuffer.Sink(x, out bool overwrite);
            Elementwise.AbsBackward(g.Data, x.Data, sink, overwrite);
        }, x);
    }

    /// <summary>Σ x (scalar).</summary>
    public static Tensor Sum(Tensor x)
    {
        var y = Tensor.Scalar(TensorPrimitives.Sum(x.Data));
        return Record(y, g => FillGrad(x, g.Data[0]), x);
    }

    /// <summary>mean(x) (scalar).</summary>
    public static Tensor Mean(Tensor x)
    {
        var y = Tensor.Scalar(x.Length == 0 ? 0 : TensorPrimitives.Sum(x.Data) / x.Length);
        return Record(y, g => FillGrad(x, g.Data[0] / x.Length), x);
    }

    // ---- shared backward helpers ----

    static void FillGrad(Tensor x, float value)
    {
        var sink = GradBuffer.Sink(x, out bool overwrite);
        if (overwrite) Chunked(sink.Length, (s, e) => sink.AsSpan(s, e - s).Fill(value));
        else Chunked(sink.Length, (s, e) => TensorPrimitives.Add(sink.AsSpan(s, e - s), value, sink.AsSpan(s, e - s)));
    }

    internal static void AccumulateScaled(Tensor x, float[] g, float s)
    {
        var sink = GradBuffer.Sink(x, out bool overwrite);
        if (overwrite) Unary(g, sink, (p, r) => TensorPrimitives.Multiply(p, s, r));
        else Binary(g, sink, sink, (p, q, r) => TensorPrimitives.MultiplyAdd(p, s, q, r));
    }

    static void AccumulateProduct(Tensor x, float[] g, float[] other)
    {
        var sink = GradBuffer.Sink(x, out bool overwrite);
        if (overwrite) Binary(g, other, sink, static (p, q, r) => TensorPrimitives.Multiply(p, q, r));
        else Chunked(sink.Length, (s, e) =>
            TensorPrimitives.MultiplyAdd(g.AsSpan(s, e - s), other.AsSpan(s, e - s), sink.AsSpan(s, e - s), sink.AsSpan(s, e - s)));
    }

    delegate void BinaryKernel(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> r);
    delegate void UnaryKernel(ReadOnlySpan<float> a, Span<float> r);

    static void Binary(float[] a, float[] b, float[] r, BinaryKernel k) =>
        Chunked(r.Length, (s, e) => k(a.AsSpan(s, e - s), b.AsSpan(s, e - s), r.AsSpan(s, e - s)));

    static void Unary(float[] a, float[] r, UnaryKernel k) =>
        Chunked(r.Length, (s, e) => k(a.AsSpan(s, e - s), r.AsSpan(s, e - s)));

    /// <summary>body over [0, count) in contiguous pieces on several threads when long (elementwise work only).</summary>
    internal static void Chunked(int count, Action<int, int> body) => Elementwise.For(count, count, body);
}
