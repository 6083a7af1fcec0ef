using System.Numerics;
using System.Runtime.InteropServices;

namespace Thermo.Optim;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019): m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
/// p ← p − lr·(m̂/(√v̂ + ε) + λp) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ). λ = 0 gives plain Adam.
/// </summary>
public sealed class AdamW(IEnumerable<(string Name, Thermo.Tensors.Tensor Tensor)> parameters, float learningRate = 1e-3f,
    float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f) : Optimizer(parameters, learningRate)
{
    readonly Dictionary<int, float[]>[] slots = [new(), new()];

    /// <summary>β₁, β₂, ε, λ.</summary>
    public float Beta1 { get; } = beta1;
    /// <inheritdoc cref="Beta1"/>
    public float Beta2 { get; } = beta2;
    /// <inheritdoc cref="Beta1"/>
    public float Eps { get; } = eps;
    /// <inheritdoc cref="Beta1"/>
    public float WeightDecay { get; set; } = weightDecay;

    /// <inheritdoc/>
    protected override string[] Slots => ["exp_avg", "exp_avg_sq"];

    /// <inheritdoc/>
    protected override float[] Slot(int slot, int index)
    {
        if (!slots[slot].TryGetValue(index, out var b)) slots[slot][index] = b = new float[Parameters[index].Tensor.Length];
        return b;
    }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> p, ReadOnlySpan<float> g)
    {
        var m = Slot(0, index).AsSpan();
        var v = Slot(1, index).AsSpan();
        float b1 = Beta1, b2 = Beta2;
        float c1 = 1f / (1f - MathF.Pow(b1, StepCount)), c2 = 1f / (1f - MathF.Pow(b2, StepCount));
        float lr = LearningRate, decay = 1f - lr * WeightDecay;
        int i = 0;
        if (Vector.IsHardwareAccelerated && p.Length >= Vector<float>.Count)
        {
            var pv = MemoryMarshal.Cast<float, Vector<float>>(p);
            var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
            var mv = MemoryMarshal.Cast<float, Vector<float>>(m);
            var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
            var vb1 = new Vector<float>(b1); var vb2 = new Vector<float>(b2);
            var vc1 = new Vector<float>(1 - b1); var vc2 = new Vector<float>(1 - b2);
            var vlr1 = new Vector<float>(lr * c1); var vsc2 = new Vector<float>(c2);
            var veps = new Vector<float>(Eps); var vdecay = new Vector<float>(decay);
            for (int k = 0; k < pv.Length; k++)
            {
                var gk = gv[k];
                var mk = vb1 * mv[k] + vc1 * gk;
                var vk = vb2 * vv[k] + vc2 * gk * gk;
                mv[k] = mk; vv[k] = vk;
                pv[k] = pv[k] * vdecay - vlr1 * mk / (Vector.SquareRoot(vk * vsc2) + veps);
            }
            i = pv.Length * Vector<float>.Count;
        }
        for (; i < p.Length; i++)
        {
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            p[i] = p[i] * decay - lr * c1 * m[i] / (MathF.Sqrt(v[i] * c2) + Eps);
        }
    }
}
