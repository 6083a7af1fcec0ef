using Thermo.Tensors;

namespace Thermo.Training;

/// <summary>
/// Where the <see cref="Trainer"/>'s steps run when not on its own CPU engine (autograd on the host, the default):
/// the engine holds the parameters, gradients and optimiser state, computes one batch's loss and gradients, applies the
/// optimiser, and copies everything back to the host model and optimiser before a checkpoint or an evaluation, so a
/// checkpoint is the same file whichever engine wrote it.
/// </summary>
public interface ITrainingEngine : IDisposable
{
    /// <summary>What runs the steps, e.g. "cuda (NVIDIA H200)".</summary>
    string Description { get; }

    /// <summary>Loss of one batch (its value, as the CPU engine reports it) and the gradients of every parameter; fills <paramref name="metrics"/> as the model's objective does.</summary>
    double ComputeGradients(Tensor images, int[] labels, long step, IDictionary<string, double> metrics);

    /// <summary>One optimiser step with the host optimiser's current learning rate.</summary>
    void Step();

    /// <summary>Copies parameters, buffers and optimiser state to the host model and optimiser.</summary>
    void Pull();
}
