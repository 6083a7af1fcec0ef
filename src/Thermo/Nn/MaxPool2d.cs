using Thermo.Autograd;
using Thermo.Tensors;

namespace Thermo.Nn;

/// <summary>Max pooling k×k, stride s (default k). Digital only: it does not map onto Ising couplings.</summary>
public sealed class MaxPool2d(int kernel, int stride = 0) : Module
{
    /// <summary>Window and stride.</summary>
    public int Kernel { get; } = kernel;
    /// <inheritdoc cref="Kernel"/>
    public int Stride { get; } = stride <= 0 ? kernel : stride;
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.MaxPool2d(x, Kernel, Stride);
    /// <inheritdoc/>
    public override string Describe() => $"MaxPool2d(k{Kernel}, s{Stride})";
}
