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
        Kernels.Conv2d.Forward(geo, x.Data, weight.Data, bias is null ? default : bias.Data, y.Data);
        var inputs = bias is null ? new[] { x, weight } : new[] { x, weight, bias };
        return Record(y, g =>
        {
            if (x.RequiresGrad) ConvInputGrad(geo, x, g.Data, weight.Data);
            if (weight.RequiresGrad || (bias?.RequiresGrad ?? false)) ConvWeightGrad(geo, x.Data, g.Data, weight, bias);
        }, inputs);
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
        Kernels.Conv2d.BackwardData(geo, x.Data, weight.Data, y.Data);
        return Record(y, g =>
        {
            if (x.RequiresGrad)
            {
                var sink = GradBuffer.Sink(x, out bool ow);
                if (ow) Kernels.Conv2d.Forward(geo, g.Data, weight.Data, default, sink);
                else
                {
                    var tmp = Tensor.Empty(x.Shape);
                    Kernels.Conv2d.Forward(geo, g.Data, weight.Data, default, tmp.Data);
                    System.Numerics.Tensors.TensorPrimitives.Add(sink, tmp.Data, sink);
                }
            }
            if (weight.RequiresGrad) ConvWeightGrad(geo, g.Data, x.Data, weight, null);
        }, x, weight);
    }

    static void ConvInputGrad(in Conv2dGeometry geo, Tensor x, float[] gradOut, float[] weight)
    {
        var sink = GradBuffer.Sink(x, out bool ow);
        if (ow) { Kernels.Conv2d.BackwardData(geo, gradOut, weight, sink); return; }
        var tmp = Tensor.Empty(x.Shape);
        Kernels.Conv2d.BackwardData(geo, gradOut, weight, tmp.Data);
        System.Numerics.Tensors.TensorPrimitives.Add(sink, tmp.Data, sink);
    }

    static void ConvWeightGrad(in Conv2dGeometry geo, float[] input, float[] gradOut, Tensor weight, Tensor? bias)
    {
        bool wantW = weight.RequiresGrad, wantB = bias?.RequiresGrad ?? false;
        var wTmp = Tensor.Empty(weight.Shape);
        var bTmp = wantB ? Tensor.Empty(bias!.Shape) : null;
        Kernels.Conv2d.BackwardWeight(geo, input, gradOut, wTmp.Data, bTmp is null ? default : bTmp.Data);
        if (wantW) GradBuffer.Accumulate(weight, wTmp.Data);
        if (wantB) GradBuffer.Accumulate(bias!, bTmp!.Data);
    }
}
