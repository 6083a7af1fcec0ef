using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Thermo.Tensors;

/// <summary>
/// A dense, row-major float32 tensor (images are NCHW) that can take part in reverse-mode autograd.
/// Storage is exactly <see cref="Length"/> floats; views made by Autograd's <c>Reshape</c> share it.
/// </summary>
public sealed class Tensor
{
    /// <summary>Storage, row-major, exactly <see cref="Length"/> elements.</summary>
    public float[] Data { get; }
    /// <summary>Dimensions, outermost first.</summary>
    public int[] Shape { get; }
    /// <summary>Number of elements.</summary>
    public int Length => Data.Length;
    /// <summary>Whether gradients flow to this tensor.</summary>
    public bool RequiresGrad { get; set; }
    /// <summary>Accumulated gradient (same shape), or null before any backward pass reached it since the last <see cref="ZeroGrad"/>.</summary>
    public Tensor? Grad => GradValid ? GradStorage : null;

    internal Tensor? GradStorage { get; set; }
    internal bool GradValid { get; set; }

    /// <summary>Marks the gradient as zero without touching memory: the next backward pass overwrites it.</summary>
    public void ZeroGrad() => GradValid = false;
    /// <summary>Optional name (parameters get theirs from the module tree).</summary>
    public string? Name { get; set; }

    internal GradFn? GradFn { get; set; }

    /// <summary>Wraps existing storage (no copy).</summary>
    public Tensor(float[] data, params int[] shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative dimension in shape [{string.Join(", ", shape)}]");
            n *= d;
        }
        if (n != data.Length) throw new ArgumentException($"shape [{string.Join(", ", shape)}] needs {n} elements, storage has {data.Length}");
        Data = data;
        Shape = shape;
    }

    /// <summary>Uninitialised tensor (pooled inside a <see cref="TensorScope"/>).</summary>
    public static Tensor Empty(params int[] shape) => new(TensorScope.Allocate(checked((int)ShapeSize(shape))), shape);

    /// <summary>Zero-filled tensor.</summary>
    public static Tensor Zeros(params int[] shape)
    {
        var t = Empty(shape);
        Array.Clear(t.Data);
        return t;
    }

    /// <summary>Tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        var t = Empty(shape);
        Array.Fill(t.Data, value);
        return t;
    }

    /// <summary>Copies <paramref name="values"/> into a new tensor of the given shape.</summary>
    public static Tensor FromArray(ReadOnlySpan<float> values, params int[] shape)
    {
        var t = Empty(shape);
        values.CopyTo(t.Data);
        return t;
    }

    /// <summary>A scalar (shape []).</summary>
    public static Tensor Scalar(float value) => FromArray([value]);

    /// <summary>Product of the dimensions.</summary>
    public static long ShapeSize(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape) n *= d;
        return n;
    }

    /// <summary>Storage as a span.</summary>
    public Span<float> Span => Data;

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Length;

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public int Dim(int dim) => Shape[dim < 0 ? Shape.Length + dim : dim];

    /// <summary>The value of a one-element tensor.</summary>
    public float Item() => Length == 1 ? Data[0] : throw new InvalidOperationException($"Item() needs one element, tensor has shape {ShapeString}");

    /// <summary>Shape as "[a, b, c]".</summary>
    public string ShapeString => $"[{string.Join(", ", Shape)}]";

    /// <summary>Deep copy without autograd history.</summary>
    public Tensor Clone()
    {
        var t = Empty(Shape.ToArray());
        Data.AsSpan().CopyTo(t.Data);
        return t;
    }

    /// <summary>Tensor sharing storage but cut off from the graph.</summary>
    public Tensor Detach() => new(Data, Shape);

    /// <summary>Fills with zeros in place.</summary>
    public void ZeroInPlace() => Array.Clear(Data);

    /// <summary>Largest absolute value (0 for empty).</summary>
    public float MaxAbs() => Length == 0 ? 0 : TensorPrimitives.MaxMagnitude(Data) is var m ? MathF.Abs(m) : 0;

    /// <summary>True when every element is finite.</summary>
    public bool AllFinite()
    {
        foreach (float v in Data) if (!float.IsFinite(v)) return false;
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Tensor{ShapeString}{(Name is null ? "" : " " + Name)}";
}
