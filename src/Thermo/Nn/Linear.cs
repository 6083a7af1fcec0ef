using Thermo.Autograd;
using Thermo.Tensors;

namespace Thermo.Nn;

/// <summary>y = x·Wᵀ + b, W [out, in]; initialised U(±1/√in) like PyTorch.</summary>
public sealed class Linear : Module
{
    /// <summary>Weight [out, in].</summary>
    public Tensor Weight { get; }
    /// <summary>Bias [out] or null.</summary>
    public Tensor? Bias { get; }
    /// <summary>Input and output features.</summary>
    public int InFeatures { get; }
    /// <inheritdoc cref="InFeatures"/>
    public int OutFeatures { get; }

    /// <summary>Creates the layer (weights zero until <see cref="Module.Initialize"/>).</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true)
    {
        InFeatures = inFeatures; OutFeatures = outFeatures;
        Weight = Parameter("weight", new Tensor(new float[outFeatures * inFeatures], outFeatures, inFeatures));
        if (bias) Bias = Parameter("bias", new Tensor(new float[outFeatures], outFeatures));
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.Linear(x.Rank == 2 ? x : F.Flatten(x), Weight, Bias);

    /// <inheritdoc/>
    protected override void InitParameters(ulong seed, ulong stream)
    {
        float bound = 1f / MathF.Sqrt(InFeatures);
        UniformInit(Weight, bound, seed, stream);
        if (Bias is not null) UniformInit(Bias, bound, seed, stream + 1);
    }

    /// <inheritdoc/>
    public override string Describe() => $"Linear({InFeatures}→{OutFeatures})";
}
