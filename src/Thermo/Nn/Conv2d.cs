using Thermo.Autograd;
using Thermo.Tensors;

namespace Thermo.Nn;

/// <summary>2-D convolution, weight [out, in/groups, k, k]; initialised U(±1/√fan_in) like PyTorch.</summary>
public sealed class Conv2d : Module
{
    /// <summary>Weight [out, in/groups, k, k].</summary>
    public Tensor Weight { get; }
    /// <summary>Bias [out] or null.</summary>
    public Tensor? Bias { get; }
    /// <summary>Geometry.</summary>
    public int InChannels { get; }
    /// <inheritdoc cref="InChannels"/>
    public int OutChannels { get; }
    /// <inheritdoc cref="InChannels"/>
    public int Kernel { get; }
    /// <inheritdoc cref="InChannels"/>
    public int Stride { get; }
    /// <inheritdoc cref="InChannels"/>
    public int Padding { get; }
    /// <inheritdoc cref="InChannels"/>
    public int Groups { get; }

    /// <summary>Creates the layer (weights zero until <see cref="Module.Initialize"/>).</summary>
    public Conv2d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, int groups = 1, bool bias = true)
    {
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d: channels {inChannels}→{outChannels} not divisible by groups {groups}");
        InChannels = inChannels; OutChannels = outChannels; Kernel = kernel; Stride = stride; Padding = padding; Groups = groups;
        Weight = Parameter("weight", new Tensor(new float[outChannels * (inChannels / groups) * kernel * kernel], outChannels, inChannels / groups, kernel, kernel));
        if (bias) Bias = Parameter("bias", new Tensor(new float[outChannels], outChannels));
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.Conv2d(x, Weight, Bias, Stride, Padding, Groups);

    /// <inheritdoc/>
    protected override void InitParameters(ulong seed, ulong stream)
    {
        float bound = 1f / MathF.Sqrt(InChannels / Groups * Kernel * Kernel);
        UniformInit(Weight, bound, seed, stream);
        if (Bias is not null) UniformInit(Bias, bound, seed, stream + 1);
    }

    /// <inheritdoc/>
    public override string Describe() => $"Conv2d({InChannels}→{OutChannels}, k{Kernel}, s{Stride}, p{Padding}{(Groups > 1 ? $", g{Groups}" : "")})";
}
