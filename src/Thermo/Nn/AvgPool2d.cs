using Thermo.Autograd;
using Thermo.Tensors;

namespace Thermo.Nn;

/// <summary>Average pooling k×k, stride s (default k).</summary>
public sealed class AvgPool2d(int kernel, int stride = 0) : Module
{
    /// <summary>Window and stride.</summary>
    public int Kernel { get; } = kernel;
    /// <inheritdoc cref="Kernel"/>
    public int Stride { get; } = stride <= 0 ? kernel : stride;
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.AvgPool2d(x, Kernel, Stride);
    /// <inheritdoc/>
    public override string Describe() => $"AvgPool2d(k{Kernel}, s{Stride})";
}
