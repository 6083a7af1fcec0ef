using Thermo.Tensors;

namespace Thermo.Nn;

/// <summary>
/// A model that defines its own training loss (e.g. a thermodynamic network whose loss adds fixed-point and
/// magnitude terms, or whose forward pass injects sampling noise). Models without it are trained with
/// softmax cross-entropy on their output.
/// </summary>
public interface ITrainingObjective
{
    /// <summary>Loss for one batch at optimiser step <paramref name="step"/> (use it to key any noise).</summary>
    Tensor Loss(Tensor images, int[] labels, long step, IDictionary<string, double> metrics);
}
