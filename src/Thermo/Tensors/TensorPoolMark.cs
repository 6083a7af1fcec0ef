namespace Thermo.Tensors;

/// <summary>The buffers <see cref="TensorPool"/> held at one moment (<see cref="TensorPool.Mark"/>), for <see cref="TensorPool.ReleaseSince"/>.</summary>
public sealed class TensorPoolMark
{
    internal TensorPoolMark(HashSet<float[]> held) => Held = held;

    internal HashSet<float[]> Held { get; }
}
