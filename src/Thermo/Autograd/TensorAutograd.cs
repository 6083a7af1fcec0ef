using Thermo.Tensors;

namespace Thermo.Autograd;

/// <summary>
/// The differentiable operations a <see cref="Tensor"/> offers as methods. They live here, not on the tensor,
/// so that Tensors stays below Autograd in the layer order (docs/architecture.md).
/// </summary>
public static class TensorAutograd
{
    /// <summary>View with another shape over the same storage; one dimension may be -1. Differentiable.</summary>
    public static Tensor Reshape(this Tensor tensor, params int[] shape) => F.Reshape(tensor, shape);

    /// <summary>Runs backpropagation from this scalar (seed gradient 1).</summary>
    public static void Backward(this Tensor tensor) => Backprop.Run(tensor);
}
