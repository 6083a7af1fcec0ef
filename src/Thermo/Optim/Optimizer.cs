using Thermo.Tensors;

namespace Thermo.Optim;

/// <summary>
/// Base of the optimisers: owns the parameter list and per-parameter state tensors, which it exposes by
/// name ("&lt;param&gt;.&lt;slot&gt;") so checkpoints can save and restore them, and optionally an exponential moving
/// average of the parameters (<see cref="KeepEma"/>).
/// </summary>
public abstract class Optimizer
{
    /// <summary>Parameters with their dotted names.</summary>
    protected IReadOnlyList<(string Name, Tensor Tensor)> Parameters { get; }

    /// <summary>Current learning rate (a schedule may set it before each step).</summary>
    public float LearningRate { get; set; }

    /// <summary>Number of completed steps.</summary>
    public long StepCount { get; protected set; }

    /// <summary>Creates the optimiser over named parameters.</summary>
    protected Optimizer(IEnumerable<(string Name, Tensor Tensor)> parameters, float learningRate)
    {
        Parameters = parameters.ToList();
        if (learningRate <= 0 || !float.IsFinite(learningRate)) throw new ArgumentException($"learning rate must be positive and finite, got {learningRate}");
        LearningRate = learningRate;
    }

    /// <summary>Applies one update using the gradients of the last backward pass. Parameters without a gradient are skipped.</summary>
    public void Step()
    {
        StepCount++;
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i].Tensor;
            if (p.Grad is { } g) Update(i, p.Data, g.Data);
        }
        if (ema is null) return;
        float d = MathF.Min(EmaDecay, (1f + StepCount) / (10f + StepCount));
        for (int i = 0; i < averaged.Count; i++)
        {
            var avg = ema[i];
            var p = averaged[i].Tensor.Data;
            for (int j = 0; j < avg.Length; j++) avg[j] = d * avg[j] + (1f - d) * p[j];
        }
    }

    float[][]? ema;
    IReadOnlyList<(string Name, Tensor Tensor)> averaged = [];

    /// <summary>Decay d of the parameter average kept by <see cref="KeepEma"/> (0: none).</summary>
    public float EmaDecay { get; private set; }

    /// <summary>
    /// Keeps an exponential moving average of every parameter, updated after each <see cref="Step"/> t:
    /// θ̄_t = d_t θ̄_{t−1} + (1 − d_t) θ_t with d_t = min(d, (1 + t)/(10 + t)), starting from the parameters' values now
    /// (the warm-up factor forgets the start within tens of steps). It is saved with the state as "&lt;param&gt;.ema".
    /// <paramref name="statistics"/> (the model's <see cref="Nn.Module.NamedStatistics"/>: batch-norm running mean and
    /// variance) are averaged in the same way, as PyTorch's <c>AveragedModel(use_buffers=True)</c> does, so that the
    /// averaged weights are not evaluated with statistics of the last weights; they are saved as "&lt;buffer&gt;.ema".
    /// </summary>
    public void KeepEma(float decay, IEnumerable<(string Name, Tensor Tensor)>? statistics = null)
    {
        if (!(decay > 0 && decay < 1)) throw new ArgumentException($"the average's decay must be in (0, 1), got {decay}");
        EmaDecay = decay;
        averaged = [.. Parameters, .. statistics ?? []];
        ema = averaged.Select(p => (float[])p.Tensor.Data.Clone()).ToArray();
    }

    /// <summary>Exchanges every parameter's values with its average (call again to undo): evaluate the averaged model in between.</summary>
    public void SwapEma()
    {
        if (ema is null) throw new InvalidOperationException("no parameter average is kept (KeepEma)");
        for (int i = 0; i < averaged.Count; i++)
        {
            var avg = ema[i];
            var p = averaged[i].Tensor.Data;
            for (int j = 0; j < avg.Length; j++) (p[j], avg[j]) = (avg[j], p[j]);
        }
    }

    /// <summary>Sets every parameter to its average (the end of training).</summary>
    public void ApplyEma()
    {
        if (ema is null) throw new InvalidOperationException("no parameter average is kept (KeepEma)");
        for (int i = 0; i < averaged.Count; i++) ema[i].AsSpan().CopyTo(averaged[i].Tensor.Data);
    }

    /// <summary>Updates parameter <paramref name="index"/> in place.</summary>
    protected abstract void Update(int index, Span<float> param, ReadOnlySpan<float> grad);

    /// <summary>Marks every gradient stale (no memory traffic).</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in Parameters) p.ZeroGrad();
    }

    /// <summary>Names of the per-parameter state slots (e.g. "exp_avg").</summary>
    protected abstract string[] Slots { get; }

    /// <summary>The state slot tensor of a parameter (allocated zero on first use).</summary>
    protected abstract float[] Slot(int slot, int index);

    /// <summary>State tensors by name "&lt;param&gt;.&lt;slot&gt;", plus "step".</summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>();
        for (int i = 0; i < Parameters.Count; i++)
            for (int s = 0; s < Slots.Length; s++)
                d[$"{Parameters[i].Name}.{Slots[s]}"] = new Tensor(Slot(s, i), Parameters[i].Tensor.Shape);
        if (ema is not null)
            for (int i = 0; i < averaged.Count; i++) d[$"{averaged[i].Name}.ema"] = new Tensor(ema[i], averaged[i].Tensor.Shape);
        d["step"] = new Tensor([StepCount], 1);
        return d;
    }

    /// <summary>Restores state saved by <see cref="StateDict"/>; every slot must be present with the right shape.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        for (int i = 0; i < Parameters.Count; i++)
            for (int s = 0; s < Slots.Length; s++)
            {
                string key = $"{Parameters[i].Name}.{Slots[s]}";
                if (!state.TryGetValue(key, out var t)) throw new InvalidDataException($"optimiser state has no '{key}'");
                if (t.Length != Parameters[i].Tensor.Length) throw new InvalidDataException($"optimiser state '{key}' has {t.Length} elements, parameter has {Parameters[i].Tensor.Length}");
                t.Data.AsSpan().CopyTo(Slot(s, i));
            }
        if (ema is not null)
            for (int i = 0; i < averaged.Count; i++)
            {
                string key = $"{averaged[i].Name}.ema";
                if (!state.TryGetValue(key, out var t)) throw new InvalidDataException($"optimiser state has no '{key}' (the run kept no parameter average)");
                if (t.Length != ema[i].Length) throw new InvalidDataException($"optimiser state '{key}' has {t.Length} elements, parameter has {ema[i].Length}");
                t.Data.AsSpan().CopyTo(ema[i]);
            }
        if (state.TryGetValue("step", out var step)) StepCount = (long)step.Data[0];
    }
}
