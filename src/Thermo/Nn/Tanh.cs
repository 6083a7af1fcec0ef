using Thermo.Autograd;
using Thermo.Tensors;

namespace Thermo.Nn;

/// <summary>tanh.</summary>
public sealed class Tanh : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.Tanh(x);
}
