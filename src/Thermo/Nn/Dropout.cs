using Thermo.Autograd;
using Thermo.Tensors;

namespace Thermo.Nn;

/// <summary>Inverted dropout with counter-based masks (seeded, one stream per forward call).</summary>
public sealed class Dropout(float p, ulong seed = 0) : Module
{
    ulong calls;
    /// <summary>Drop probability.</summary>
    public float P { get; } = p;
    /// <summary>Number of forward calls in training mode so far (part of the checkpointed training state).</summary>
    public ulong Calls { get => calls; set => calls = value; }
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => Training ? F.Dropout(x, P, seed, calls++) : x;
    /// <inheritdoc/>
    public override string Describe() => $"Dropout({P})";
}
