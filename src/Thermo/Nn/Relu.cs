using Thermo.Autograd;
using Thermo.Tensors;

namespace Thermo.Nn;

/// <summary>max(x, 0).</summary>
public sealed class Relu : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.Relu(x);
}
