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
        var y = Tensor.Empty(x.Shape);
        if (training)
        {
            var variance = new double[c];
            BatchNormKernel.ForwardTraining(x.Data, y.Data, n, c, inner, gamma.Data, beta.Data, eps, mean, invStd, variance);
            for (int ch = 0; ch < c; ch++)
            {
                runningMean.Data[ch] = (1 - momentum) * runningMean.Data[ch] + momentum * mean[ch];
                runningVar.Data[ch] = (1 - momentum) * runningVar.Data[ch] + momentum * (float)(variance[ch] * count / (count - 1));
            }
        }
        else
        {
            for (int ch = 0; ch < c; ch++)
            {
                mean[ch] = runningMean.Data[ch];
                invStd[ch] = 1f / MathF.Sqrt(runningVar.Data[ch] + eps);
            }
            BatchNormKernel.ForwardEvaluation(x.Data, y.Data, n, c, inner, gamma.Data, beta.Data, mean, invStd);
        }
        return Record(y, g =>
        {
            var dGamma = new float[c];
            var dBeta = new float[c];
            bool overwrite = false;
            var dx = x.RequiresGrad ? GradBuffer.Sink(x, out overwrite) : null;
            BatchNormKernel.Backward(g.Data, x.Data, n, c, inner, gamma.Data, mean, invStd, training, dGamma, dBeta, dx, overwrite);
            if (gamma.RequiresGrad) GradBuffer.Accumulate(gamma, dGamma);
            if (beta.RequiresGrad) GradBuffer.Accumulate(beta, dBeta);
        }, x, gamma, beta);
    }
}
