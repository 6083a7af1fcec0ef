using Thermo.Autograd;
using Thermo.Tensors;

namespace Thermo.Nn;

/// <summary>Global average pooling [N, C, H, W] → [N, C].</summary>
public sealed class GlobalAvgPool : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.GlobalAvgPool(x);
}
