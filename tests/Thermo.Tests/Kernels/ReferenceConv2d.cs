using Thermo.Kernels;

namespace Thermo.Tests.Kernels;

/// <summary>
/// Plain-loop convolutions (the original placeholders of <c>Conv2dKernel.Forward/BackwardData/BackwardWeight</c>),
/// accumulating in double. Each also returns Σ|terms| per output element, the scale of the rounding error bound.
/// </summary>
public static class ReferenceConv2d
{
    /// <summary>out = conv(in, w) + bias (bias may be null).</summary>
    public static (float[] Output, double[] Magnitude) Forward(Conv2dGeometry g, float[] input, float[] weight, float[]? bias)
    {
        int oh = g.OutHeight, ow = g.OutWidth, cinG = g.InChannels / g.Groups, coutG = g.OutChannels / g.Groups, k = g.Kernel;
        var output = new float[g.Batch * g.OutputSize];
        var magnitude = new double[output.Length];
        for (int n = 0; n < g.Batch; n++)
        for (int o = 0; o < g.OutChannels; o++)
        {
            int grp = o / coutG;
            for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
            {
                double sum = bias is null ? 0 : bias[o], abs = Math.Abs(sum);
                for (int c = 0; c < cinG; c++)
                for (int i = 0; i < k; i++)
                {
                    int iy = y * g.Stride + i - g.Padding;
                    if ((uint)iy >= (uint)g.InHeight) continue;
                    for (int j = 0; j < k; j++)
                    {
                        int ix = x * g.Stride + j - g.Padding;
                        if ((uint)ix >= (uint)g.InWidth) continue;
                        double t = (double)weight[((o * cinG + c) * k + i) * k + j] * input[((n * g.InChannels + grp * cinG + c) * g.InHeight + iy) * g.InWidth + ix];
                        sum += t; abs += Math.Abs(t);
                    }
                }
                int at = ((n * g.OutChannels + o) * oh + y) * ow + x;
                output[at] = (float)sum;
                magnitude[at] = abs;
            }
        }
        return (output, magnitude);
    }

    /// <summary>gradInput = convᵀ(gradOutput, w).</summary>
    public static (float[] GradInput, double[] Magnitude) BackwardData(Conv2dGeometry g, float[] gradOutput, float[] weight)
    {
        var sum = new double[g.Batch * g.InputSize];
        var abs = new double[sum.Length];
        int oh = g.OutHeight, ow = g.OutWidth, cinG = g.InChannels / g.Groups, coutG = g.OutChannels / g.Groups, k = g.Kernel;
        for (int n = 0; n < g.Batch; n++)
        for (int o = 0; o < g.OutChannels; o++)
        {
            int grp = o / coutG;
            for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
            {
                double go = gradOutput[((n * g.OutChannels + o) * oh + y) * ow + x];
                for (int c = 0; c < cinG; c++)
                for (int i = 0; i < k; i++)
                {
                    int iy = y * g.Stride + i - g.Padding;
                    if ((uint)iy >= (uint)g.InHeight) continue;
                    for (int j = 0; j < k; j++)
                    {
                        int ix = x * g.Stride + j - g.Padding;
                        if ((uint)ix >= (uint)g.InWidth) continue;
                        int at = ((n * g.InChannels + grp * cinG + c) * g.InHeight + iy) * g.InWidth + ix;
                        double t = weight[((o * cinG + c) * k + i) * k + j] * go;
                        sum[at] += t; abs[at] += Math.Abs(t);
                    }
                }
            }
        }
        return (sum.Select(v => (float)v).ToArray(), abs);
    }

    /// <summary>gradWeight = Σ_n gradOutput ⋆ input and gradBias = Σ gradOutput.</summary>
    public static (float[] GradWeight, double[] WeightMagnitude, float[] GradBias, double[] BiasMagnitude) BackwardWeight(
        Conv2dGeometry g, float[] input, float[] gradOutput)
    {
        var gw = new double[g.WeightSize]; var aw = new double[gw.Length];
        var gb = new double[g.OutChannels]; var ab = new double[gb.Length];
        int oh = g.OutHeight, ow = g.OutWidth, cinG = g.InChannels / g.Groups, coutG = g.OutChannels / g.Groups, k = g.Kernel;
        for (int n = 0; n < g.Batch; n++)
        for (int o = 0; o < g.OutChannels; o++)
        {
            int grp = o / coutG;
            for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
            {
                double go = gradOutput[((n * g.OutChannels + o) * oh + y) * ow + x];
                gb[o] += go; ab[o] += Math.Abs(go);
                for (int c = 0; c < cinG; c++)
                for (int i = 0; i < k; i++)
                {
                    int iy = y * g.Stride + i - g.Padding;
                    if ((uint)iy >= (uint)g.InHeight) continue;
                    for (int j = 0; j < k; j++)
                    {
                        int ix = x * g.Stride + j - g.Padding;
                        if ((uint)ix >= (uint)g.InWidth) continue;
                        int at = ((o * cinG + c) * k + i) * k + j;
                        double t = go * input[((n * g.InChannels + grp * cinG + c) * g.InHeight + iy) * g.InWidth + ix];
                        gw[at] += t; aw[at] += Math.Abs(t);
                    }
                }
            }
        }
        return (gw.Select(v => (float)v).ToArray(), aw, gb.Select(v => (float)v).ToArray(), ab);
    }
}
