using Thermo.Autograd;
using Thermo.Tensors;

namespace Thermo.Nn;

/// <summary>sign(x) with the straight-through gradient.</summary>
public sealed class SignSte : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.SignSte(x);
}
