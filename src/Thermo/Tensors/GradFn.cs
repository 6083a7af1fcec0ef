namespace Thermo.Tensors;

/// <summary>A recorded operation: its inputs and the function that pushes an output gradient into them.</summary>
internal sealed class GradFn(Tensor[] inputs, Action<Tensor> backward)
{
    public Tensor[] Inputs { get; } = inputs;
    public Action<Tensor> Backward { get; } = backward;
}
