using Thermo.Kernels;
using Thermo.Tensors;

namespace Thermo.Autograd;

public static partial class F
{
    /// <summary>
    /// Batch normalisation over dimension 1 of [N, C] or [N, C, H, W]:
    /// y = γ (x − μ)/√(σ² + ε) + β. In training μ, σ² are the batch statistics (biased variance) and the
    /// running estimates move by <paramref name="momentum"/> (unbiased variance, as PyTorch); in evaluation
    /// the running estimates are used.
    /// </summary>
    public static Tensor BatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
        bool training, float momentum = 0.1f, float eps = 1e-5f)
    {
        if (x.Rank < 2) throw new ArgumentException($"BatchNorm needs [N, C, ...], got {x.ShapeString}");
        int n = x.Shape[0], c = x.Shape[1], inner = x.Length / Math.Max(1, n * c);
        if (gamma.Length != c || beta.Length != c || runningMean.Length != c || runningVar.Length != c)
            throw new ArgumentException($"BatchNorm: input {x.ShapeString} has {c} channels, parameters have {gamma.Length}");
        int count = n * inner;
        if (training && count < 2) throw new ArgumentException($"BatchNorm in training needs more than one value per channel, got input {x.ShapeString}");
        var mean = new float[c];
        var invStd = new float[c];
        var xd = x.Data;
        if (training)
        {
            ParallelRange.For(c, 1, (c0, c1) =>
            {
                for (int ch = c0; ch < c1; ch++)
                {
                    double s = 0, s2 = 0;
                    for (int b = 0; b < n; b++)
                    {
                        var span = xd.AsSpan((b * c + ch) * inner, inner);
                        foreach (float v in span) { s += v; s2 += (double)v * v; }
                    }
                    double mu = s / count, var = Math.Max(0, s2 / count - mu * mu);
                    mean[ch] = (float)mu;
                    invStd[ch] = (float)(1 / Math.Sqrt(var + eps));
                    runningMean.Data[ch] = (1 - momentum) * runningMean.Data[ch] + momentum * (float)mu;
                    runningVar.Data[ch] = (1 - momentum) * runningVar.Data[ch] + momentum * (float)(var * count / (count - 1));
                }
            });
        }
        else
        {
            for (int ch = 0; ch < c; ch++)
            {
                mean[ch] = runningMean.Data[ch];
                invStd[ch] = 1f / MathF.Sqrt(runningVar.Data[ch] + eps);
            }
        }
        var y = Tensor.Empty(x.Shape);
        var yd = y.Data; var gd = gamma.Data; var bd = beta.Data;
        ParallelRange.For(n * c, 16, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int ch = r % c;
                float scale = gd[ch] * invStd[ch], shift = bd[ch] - mean[ch] * scale;
                var src = xd.AsSpan(r * inner, inner); var dst = yd.AsSpan(r * inner, inner);
                for (int i = 0; i < inner; i++) dst[i] = src[i] * scale + shift;
            }
        });
        return Record(y, g =>
        {
            var gy = g.Data;
            var dGamma = new float[c];
            var dBeta = new float[c];
            bool overwrite = false;
            var dx = x.RequiresGrad ? GradBuffer.Sink(x, out overwrite) : null;
            ParallelRange.For(c, 1, (c0, c1) =>
            {
                for (int ch = c0; ch < c1; ch++)
                {
                    double sg = 0, sgx = 0;
                    float mu = mean[ch], istd = invStd[ch];
                    for (int b = 0; b < n; b++)
                    {
                        int off = (b * c + ch) * inner;
                        for (int i = 0; i < inner; i++)
                        {
                            float gv = gy[off + i];
                            sg += gv;
                            sgx += gv * (xd[off + i] - mu) * istd;
                        }
                    }
                    dBeta[ch] = (float)sg;
                    dGamma[ch] = (float)sgx;
                    if (dx is null) continue;
                    float gam = gd[ch];
                    if (training)
                    {
                        // dx = γ·istd/M · (M·g − Σg − x̂·Σ(g·x̂))
                        float k = gam * istd / count, meanG = (float)(sg), meanGX = (float)(sgx);
                        for (int b = 0; b < n; b++)
                        {
                            int off = (b * c + ch) * inner;
                            for (int i = 0; i < inner; i++)
                            {
                                float xh = (xd[off + i] - mu) * istd;
                                float d = k * (count * gy[off + i] - meanG - xh * meanGX);
                                dx[off + i] = overwrite ? d : dx[off + i] + d;
                            }
                        }
                    }
                    else
                    {
                        float k = gam * istd;
                        for (int b = 0; b < n; b++)
                        {
                            int off = (b * c + ch) * inner;
                            for (int i = 0; i < inner; i++)
                            {
                                float d = k * gy[off + i];
                                dx[off + i] = overwrite ? d : dx[off + i] + d;
                            }
                        }
                    }
                }
            });
            if (gamma.RequiresGrad) GradBuffer.Accumulate(gamma, dGamma);
            if (beta.RequiresGrad) GradBuffer.Accumulate(beta, dBeta);
        }, x, gamma, beta);
    }
}
