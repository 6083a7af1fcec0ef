using Thermo.Tensors;

namespace Thermo.Autograd;

/// <summary>
/// Bounded-memory inference. Without autograd nothing refers back to a stage's intermediates once the stage has
/// produced its result, so a stage (a block, a mean-field pass) runs in its own <see cref="TensorScope"/> and only
/// the tensors it hands on survive: peak memory is one stage's working set, not the sum over the network.
/// While gradients are recorded the graph needs every intermediate, so the scope is not opened.
/// </summary>
public static class InferenceStage
{
    /// <summary>A stage's scope when gradients are off (dispose it after <see cref="TensorScope.Keep"/>), else null.</summary>
    public static TensorScope? Begin() => GradMode.Enabled ? null : new TensorScope();
}
