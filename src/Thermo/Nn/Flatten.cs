using Thermo.Autograd;
using Thermo.Tensors;

namespace Thermo.Nn;

/// <summary>[N, ...] → [N, prod(...)].</summary>
public sealed class Flatten : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.Flatten(x);
}
