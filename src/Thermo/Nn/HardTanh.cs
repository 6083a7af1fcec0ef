using Thermo.Autograd;
using Thermo.Tensors;

namespace Thermo.Nn;

/// <summary>clamp(x, −1, 1).</summary>
public sealed class HardTanh : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.HardTanh(x);
}
