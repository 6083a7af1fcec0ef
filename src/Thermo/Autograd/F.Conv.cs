using Thermo.Kernels;
using Thermo.Tensors;

namespace Thermo.Autograd;

public static partial class F
{
    static Conv2dGeometry ConvGeometry(Tensor x, Tensor weight, int stride, int padding, int groups, string op)
    {
        if (x.Rank != 4 || weight.Rank != 4)
            throw new ArgumentException($"{op}: input must be [N, C, H, W] and weight [O, C/groups, K, K]; got {x.ShapeString} and {weight.ShapeString}");
        if (weight.Shape[2] != weight.Shape[3]) throw new ArgumentException($"{op}: only square kernels are supported, weight is {weight.ShapeString}");
        var g = new Conv2dGeometry(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], weight.Shape[0], weight.Shape[2], stride, padding, groups);
        if (weight.Shape[1] * groups != x.Shape[1])
            throw new ArgumentException($"{op}: input has {x.Shape[1]} channels, weight {weight.ShapeString} expects {weight.Shape[1] * groups}");
        g.Validate();
        return g;
    }

    /// <summary>2-D convolution (cross-correlation, as in PyTorch): see <see cref="Conv2dGeometry"/>.</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int groups = 1)
    {
        var geo = ConvGeometry(x, weight, stride, padding, groups, "Conv2d");
        var y = Tensor.Empty(geo.Batch, geo.OutChannels, geo.OutHeight, geo.OutWidth);
        Kernels.Conv2dKernel.Forward(geo, x.Data, weight.Data, bias is null ? default : bias.Data, y.Data);
        var inputs = bias is null ? new[] { x, weight } : new[] { x, weight, bias };
        return Record(y, g => ConvBackward(geo, x, g.Data, weight, bias), inputs);
    }

    /// <summary>
    /// Transposed convolution y = Wᵀ ⋆ x: the adjoint of <see cref="Conv2d"/> with the same weight
    /// [O, C, K, K], mapping [N, O, h, w] to [N, C, <paramref name="outHeight"/>, <paramref name="outWidth"/>].
    /// In an Ising program this is the feedback a layer receives from the layer above.
    /// </summary>
    public static Tensor ConvTranspose2d(Tensor x, Tensor weight, int outHeight, int outWidth, int stride = 1, int padding = 0)
    {
        if (x.Rank != 4 || weight.Rank != 4 || x.Shape[1] != weight.Shape[0])
            throw new ArgumentException($"ConvTranspose2d: input {x.ShapeString} does not fit weight {weight.ShapeString}");
        var geo = new Conv2dGeometry(x.Shape[0], weight.Shape[1], outHeight, outWidth, weight.Shape[0], weight.Shape[2], stride, padding);
        geo.Validate();
        if (geo.OutHeight != x.Shape[2] || geo.OutWidth != x.Shape[3])
            throw new ArgumentException($"ConvTranspose2d: output {outHeight}x{outWidth} is inconsistent with input {x.ShapeString} (stride {stride}, padding {padding})");
        var y = Tensor.Empty(geo.Batch, geo.InChannels, outHeight, outWidth);
        Kernels.Conv2dKernel.BackwardData(geo, x.Data, weight.Data, y.Data);
        return Record(y, g =>
        {
            if (x.RequiresGrad)
            {
                var sink = GradBuffer.Sink(x, out bool ow);
                if (ow) Kernels.Conv2dKernel.Forward(geo, g.Data, weight.Data, default, sink);
                else
                {
                    var tmp = Tensor.Empty(x.Shape);
                    Kernels.Conv2dKernel.Forward(geo, g.Data, weight.Data, default, tmp.Data);
                    System.Numerics.Tensors.TensorPrimitives.Add(sink, tmp.Data, sink);
                }
            }
            if (weight.RequiresGrad)
            {
                // y = Wᵀ ⋆ x is the data gradient of a convolution whose output gradient is x, so dW = x ⋆ g.
                var wg = new Tensor(g.Data, g.Shape);
                ConvBackward(geo, wg, x.Data, weight, null, inputGrad: false);
            }
        }, x, weight);
    }

    /// <summary>
    /// Accumulates the gradients of conv(x, w) + b for output gradient <paramref name="gradOut"/> into those of
    /// x (when <paramref name="inputGrad"/>), w and b that require them, in one kernel call.
    /// </summary>
    static void ConvBackward(in Conv2dGeometry geo, Tensor x, float[] gradOut, Tensor weight, Tensor? bias, bool inputGrad = true)
    {
        var dx = inputGrad && x.RequiresGrad ? new GradTarget(x) : default;
        var dw = weight.RequiresGrad ? new GradTarget(weight) : default;
        var db = bias is { RequiresGrad: true } ? new GradTarget(bias) : default;
        Kernels.Conv2dKernel.Backward(geo, x.Data, gradOut, weight.Data, dx.Buffer, dw.Buffer, db.Buffer);
        dx.Commit(); dw.Commit(); db.Commit();
    }

    /// <summary>Where a kernel writes a gradient: the tensor's own buffer when fresh, else scratch added on <see cref="Commit"/>.</summary>
    readonly struct GradTarget
    {
        readonly float[]? sink;
        public float[]? Buffer { get; }

        public GradTarget(Tensor t)
        {
            var s = GradBuffer.Sink(t, out bool overwrite);
            sink = overwrite ? null : s;
            Buffer = overwrite ? s : Tensor.Empty(t.Shape).Data;
        }

        public void Commit()
        {
            if (sink is not null) System.Numerics.Tensors.TensorPrimitives.Add(sink, Buffer!, sink);
        }
    }
}
