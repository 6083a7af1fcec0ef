using Thermo.Kernels;
using Thermo.Tensors;

namespace Thermo.Autograd;

public static partial class F
{
    /// <summary>Average pooling over k×k windows with the given stride (no padding): y = (1/k²) Σ_window x.</summary>
    public static Tensor AvgPool2d(Tensor x, int kernel, int stride = 0)
    {
        if (stride <= 0) stride = kernel;
        if (x.Rank != 4) throw new ArgumentException($"AvgPool2d needs [N, C, H, W], got {x.ShapeString}");
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int oh = (h - kernel) / stride + 1, ow = (w - kernel) / stride + 1;
        if (kernel <= 0 || oh <= 0 || ow <= 0) throw new ArgumentException($"AvgPool2d: kernel {kernel} does not fit input {x.ShapeString}");
        var y = Tensor.Empty(n, c, oh, ow);
        float inv = 1f / (kernel * kernel);
        var xd = x.Data; var yd = y.Data;
        ParallelRange.For(n * c, 8, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
            {
                float s = 0;
                for (int a = 0; a < kernel; a++)
                for (int b = 0; b < kernel; b++) s += xd[(p * h + i * stride + a) * w + j * stride + b];
                yd[(p * oh + i) * ow + j] = s * inv;
            }
        });
        return Record(y, g =>
        {
            var sink = GradBuffer.Sink(x, out bool ow0);
            var gd = g.Data;
            ParallelRange.For(n * c, 8, (p0, p1) =>
            {
                if (ow0) Array.Clear(sink, p0 * h * w, (p1 - p0) * h * w);
                for (int p = p0; p < p1; p++)
                for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    float v = gd[(p * oh + i) * ow + j] * inv;
                    for (int a = 0; a < kernel; a++)
                    for (int b = 0; b < kernel; b++) sink[(p * h + i * stride + a) * w + j * stride + b] += v;
                }
            });
        }, x);
    }

    /// <summary>Global average pooling: [N, C, H, W] → [N, C], y[n,c] = mean over H·W.</summary>
    public static Tensor GlobalAvgPool(Tensor x)
    {
        if (x.Rank != 4) throw new ArgumentException($"GlobalAvgPool needs [N, C, H, W], got {x.ShapeString}");
        int n = x.Shape[0], c = x.Shape[1], hw = x.Shape[2] * x.Shape[3];
        var y = Tensor.Empty(n, c);
        for (int p = 0; p < n * c; p++) y.Data[p] = System.Numerics.Tensors.TensorPrimitives.Sum(x.Data.AsSpan(p * hw, hw)) / hw;
        return Record(y, g =>
        {
            var sink = GradBuffer.Sink(x, out bool ow);
            for (int p = 0; p < n * c; p++)
            {
                float v = g.Data[p] / hw;
                var s = sink.AsSpan(p * hw, hw);
                if (ow) s.Fill(v);
                else System.Numerics.Tensors.TensorPrimitives.Add(s, v, s);
            }
        }, x);
    }
}

public static partial class F
{
    /// <summary>Max pooling over k×k windows (no padding); the gradient goes to the first maximum of each window.</summary>
    public static Tensor MaxPool2d(Tensor x, int kernel, int stride = 0)
    {
        if (stride <= 0) stride = kernel;
        if (x.Rank != 4) throw new ArgumentException($"MaxPool2d needs [N, C, H, W], got {x.ShapeString}");
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int oh = (h - kernel) / stride + 1, ow = (w - kernel) / stride + 1;
        if (kernel <= 0 || oh <= 0 || ow <= 0) throw new ArgumentException($"MaxPool2d: kernel {kernel} does not fit input {x.ShapeString}");
        var y = Tensor.Empty(n, c, oh, ow);
        var arg = new int[y.Length];
        var xd = x.Data; var yd = y.Data;
        ParallelRange.For(n * c, 8, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
            {
                int best = (p * h + i * stride) * w + j * stride;
                for (int a = 0; a < kernel; a++)
                for (int b = 0; b < kernel; b++)
                {
                    int idx = (p * h + i * stride + a) * w + j * stride + b;
                    if (xd[idx] > xd[best]) best = idx;
                }
                int o = (p * oh + i) * ow + j;
                yd[o] = xd[best]; arg[o] = best;
            }
        });
        return Record(y, g =>
        {
            var sink = GradBuffer.Sink(x, out bool ow0);
            if (ow0) Array.Clear(sink);
            var gd = g.Data;
            for (int o = 0; o < arg.Length; o++) sink[arg[o]] += gd[o];
        }, x);
    }
}
