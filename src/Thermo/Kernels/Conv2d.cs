namespace Thermo.Kernels;

/// <summary>
/// Convolution kernels on NCHW float32 buffers (see <see cref="Conv2dGeometry"/> for the equation).
/// BackwardData is also the transposed convolution: it maps an output-shaped tensor through Wᵀ.
/// </summary>
public static class Conv2d
{
    /// <summary>out = conv(in, w) + bias. <paramref name="bias"/> may be empty.</summary>
    public static void Forward(in Conv2dGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias, Span<float> output)
    {
        g.Validate();
        int oh = g.OutHeight, ow = g.OutWidth, cinG = g.InChannels / g.Groups, coutG = g.OutChannels / g.Groups, k = g.Kernel;
        for (int n = 0; n < g.Batch; n++)
        for (int o = 0; o < g.OutChannels; o++)
        {
            int grp = o / coutG;
            for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
            {
                float sum = bias.IsEmpty ? 0f : bias[o];
                for (int c = 0; c < cinG; c++)
                for (int i = 0; i < k; i++)
                {
                    int iy = y * g.Stride + i - g.Padding;
                    if ((uint)iy >= (uint)g.InHeight) continue;
                    for (int j = 0; j < k; j++)
                    {
                        int ix = x * g.Stride + j - g.Padding;
                        if ((uint)ix >= (uint)g.InWidth) continue;
                        sum += weight[((o * cinG + c) * k + i) * k + j] * input[((n * g.InChannels + grp * cinG + c) * g.InHeight + iy) * g.InWidth + ix];
                    }
                }
                output[((n * g.OutChannels + o) * oh + y) * ow + x] = sum;
            }
        }
    }

    /// <summary>gradInput = convᵀ(gradOutput, w) (overwrites gradInput). Also the transposed convolution.</summary>
    public static void BackwardData(in Conv2dGeometry g, ReadOnlySpan<float> gradOutput, ReadOnlySpan<float> weight, Span<float> gradInput)
    {
        g.Validate();
        gradInput[..(g.Batch * g.InputSize)].Clear();
        int oh = g.OutHeight, ow = g.OutWidth, cinG = g.InChannels / g.Groups, coutG = g.OutChannels / g.Groups, k = g.Kernel;
        for (int n = 0; n < g.Batch; n++)
        for (int o = 0; o < g.OutChannels; o++)
        {
            int grp = o / coutG;
            for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
            {
                float go = gradOutput[((n * g.OutChannels + o) * oh + y) * ow + x];
                for (int c = 0; c < cinG; c++)
                for (int i = 0; i < k; i++)
                {
                    int iy = y * g.Stride + i - g.Padding;
                    if ((uint)iy >= (uint)g.InHeight) continue;
                    for (int j = 0; j < k; j++)
                    {
                        int ix = x * g.Stride + j - g.Padding;
                        if ((uint)ix >= (uint)g.InWidth) continue;
                        gradInput[((n * g.InChannels + grp * cinG + c) * g.InHeight + iy) * g.InWidth + ix] += weight[((o * cinG + c) * k + i) * k + j] * go;
                    }
                }
            }
        }
    }

    /// <summary>gradWeight = Σ_n gradOutput ⋆ input; gradBias = Σ gradOutput (overwrites both; gradBias may be empty).</summary>
    public static void BackwardWeight(in Conv2dGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> gradOutput,
        Span<float> gradWeight, Span<float> gradBias)
    {
        g.Validate();
        gradWeight[..g.WeightSize].Clear();
        if (!gradBias.IsEmpty) gradBias[..g.OutChannels].Clear();
        int oh = g.OutHeight, ow = g.OutWidth, cinG = g.InChannels / g.Groups, coutG = g.OutChannels / g.Groups, k = g.Kernel;
        for (int n = 0; n < g.Batch; n++)
        for (int o = 0; o < g.OutChannels; o++)
        {
            int grp = o / coutG;
            for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
            {
                float go = gradOutput[((n * g.OutChannels + o) * oh + y) * ow + x];
                if (!gradBias.IsEmpty) gradBias[o] += go;
                for (int c = 0; c < cinG; c++)
                for (int i = 0; i < k; i++)
                {
                    int iy = y * g.Stride + i - g.Padding;
                    if ((uint)iy >= (uint)g.InHeight) continue;
                    for (int j = 0; j < k; j++)
                    {
                        int ix = x * g.Stride + j - g.Padding;
                        if ((uint)ix >= (uint)g.InWidth) continue;
                        gradWeight[((o * cinG + c) * k + i) * k + j] += go * input[((n * g.InChannels + grp * cinG + c) * g.InHeight + iy) * g.InWidth + ix];
                    }
                }
            }
        }
    }
}
