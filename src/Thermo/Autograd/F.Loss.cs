using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Autograd;

public static partial class F
{
    /// <summary>
    /// Mean softmax cross-entropy with label smoothing ε over logits [N, K]:
    /// L = −(1/N) Σ_n Σ_k q_nk log softmax(z_n)_k, q = (1 − ε)·onehot(y) + ε/K. dL/dz = (softmax(z) − q)/N.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, ReadOnlySpan<int> labels, float labelSmoothing = 0f)
    {
        if (logits.Rank != 2) throw new ArgumentException($"CrossEntropy needs logits [N, K], got {logits.ShapeString}");
        int n = logits.Shape[0], k = logits.Shape[1];
        if (labels.Length != n) throw new ArgumentException($"CrossEntropy: {labels.Length} labels for {n} rows");
        var probs = Tensor.Empty(n, k).Data;
        var lab = labels.ToArray();
        double total = 0;
        for (int r = 0; r < n; r++)
        {
            int y = lab[r];
            if ((uint)y >= (uint)k) throw new ArgumentException($"CrossEntropy: label {y} outside [0, {k})");
            var z = logits.Data.AsSpan(r * k, k);
            float max = System.Numerics.Tensors.TensorPrimitives.Max(z);
            double sum = 0;
            for (int j = 0; j < k; j++) { float e = MathF.Exp(z[j] - max); probs[r * k + j] = e; sum += e; }
            double logSum = Math.Log(sum) + max;
            double rowLoss = 0;
            for (int j = 0; j < k; j++)
            {
                probs[r * k + j] = (float)(probs[r * k + j] / sum);
                double q = (j == y ? 1 - labelSmoothing : 0) + labelSmoothing / k;
                if (q > 0) rowLoss -= q * (z[j] - logSum);
            }
            total += rowLoss;
        }
        var loss = Tensor.Scalar((float)(total / n));
        return Record(loss, g =>
        {
            float scale = g.Data[0] / n;
            var grad = Tensor.Empty(n, k).Data;
            for (int r = 0; r < n; r++)
            for (int j = 0; j < k; j++)
            {
                float q = (j == lab[r] ? 1 - labelSmoothing : 0) + labelSmoothing / k;
                grad[r * k + j] = (probs[r * k + j] - q) * scale;
            }
            GradBuffer.Accumulate(logits, grad);
        }, logits);
    }

    /// <summary>
    /// Inverted dropout: zeroes each element with probability p and scales survivors by 1/(1 − p). The mask
    /// is Philox(seed, stream, element), so it does not depend on threads.
    /// </summary>
    public static Tensor Dropout(Tensor x, float p, ulong seed, ulong stream)
    {
        if (p < 0 || p >= 1) throw new ArgumentException($"dropout probability must be in [0, 1), got {p}");
        if (p == 0) return x;
        var mask = Tensor.Empty(x.Shape);
        Philox.FillUniform(seed, stream, 0, mask.Data);
        float keep = 1f / (1 - p);
        for (int i = 0; i < mask.Length; i++) mask.Data[i] = mask.Data[i] < p ? 0f : keep;
        var y = Tensor.Empty(x.Shape);
        System.Numerics.Tensors.TensorPrimitives.Multiply(x.Data, mask.Data, y.Data);
        return Record(y, g => AccumulateProduct(x, g.Data, mask.Data), x);
    }
}
