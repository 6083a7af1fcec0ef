namespace Thermo.Optim;

/// <summary>
/// Stochastic gradient descent with momentum μ, optional Nesterov, and L2 weight decay λ (PyTorch's SGD):
/// g ← g + λp; b ← μb + g; p ← p − lr·(nesterov ? g + μb : b).
/// </summary>
public sealed class Sgd(IEnumerable<(string Name, Thermo.Tensors.Tensor Tensor)> parameters, float learningRate,
    float momentum = 0f, bool nesterov = false, float weightDecay = 0f) : Optimizer(parameters, learningRate)
{
    readonly Dictionary<int, float[]> buffers = new();

    /// <summary>Momentum μ.</summary>
    public float Momentum { get; } = momentum;
    /// <summary>Nesterov momentum.</summary>
    public bool Nesterov { get; } = nesterov;
    /// <summary>L2 weight decay λ (coupled, as in PyTorch SGD).</summary>
    public float WeightDecay { get; set; } = weightDecay;

    /// <inheritdoc/>
    protected override string[] Slots => Momentum == 0 ? [] : ["momentum_buffer"];

    /// <inheritdoc/>
    protected override float[] Slot(int slot, int index)
    {
        if (!buffers.TryGetValue(index, out var b)) buffers[index] = b = new float[Parameters[index].Tensor.Length];
        return b;
    }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> p, ReadOnlySpan<float> g)
    {
        float lr = LearningRate, wd = WeightDecay, mu = Momentum;
        if (mu == 0)
        {
            for (int i = 0; i < p.Length; i++) p[i] -= lr * (g[i] + wd * p[i]);
            return;
        }
        var b = Slot(0, index);
        for (int i = 0; i < p.Length; i++)
        {
            float gi = g[i] + wd * p[i];
            b[i] = mu * b[i] + gi;
            p[i] -= lr * (Nesterov ? gi + mu * b[i] : b[i]);
        }
    }
}
