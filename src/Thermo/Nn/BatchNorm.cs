using Thermo.Autograd;
using Thermo.Tensors;

namespace Thermo.Nn;

/// <summary>Batch normalisation over channels (dimension 1) of [N, C] or [N, C, H, W]: see <see cref="F.BatchNorm"/>.</summary>
public sealed class BatchNorm : Module
{
    /// <summary>Scale γ, shift β, and running statistics.</summary>
    public Tensor Gamma { get; }
    /// <inheritdoc cref="Gamma"/>
    public Tensor Beta { get; }
    /// <inheritdoc cref="Gamma"/>
    public Tensor RunningMean { get; }
    /// <inheritdoc cref="Gamma"/>
    public Tensor RunningVar { get; }
    /// <summary>Momentum of the running statistics and ε.</summary>
    public float Momentum { get; }
    /// <inheritdoc cref="Momentum"/>
    public float Eps { get; }
    /// <summary>Number of channels.</summary>
    public int Channels { get; }

    /// <summary>Creates the layer with γ = 1, β = 0, running mean 0, running variance 1.</summary>
    public BatchNorm(int channels, float momentum = 0.1f, float eps = 1e-5f)
    {
        Channels = channels; Momentum = momentum; Eps = eps;
        Gamma = Parameter("weight", new Tensor(Enumerable.Repeat(1f, channels).ToArray(), channels));
        Beta = Parameter("bias", new Tensor(new float[channels], channels));
        RunningMean = Statistic("running_mean", new Tensor(new float[channels], channels));
        RunningVar = Statistic("running_var", new Tensor(Enumerable.Repeat(1f, channels).ToArray(), channels));
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.BatchNorm(x, Gamma, Beta, RunningMean, RunningVar, Training, Momentum, Eps);

    /// <inheritdoc/>
    protected override void InitParameters(ulong seed, ulong stream)
    {
        Gamma.Span.Fill(1f); Beta.Span.Clear(); RunningMean.Span.Clear(); RunningVar.Span.Fill(1f);
    }

    /// <inheritdoc/>
    public override string Describe() => $"BatchNorm({Channels})";
}
