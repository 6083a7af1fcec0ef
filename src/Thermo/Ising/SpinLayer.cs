namespace Thermo.Ising;

/// <summary>
/// A layer of spins s ∈ {−1, +1} with shape [C, H, W] (image-like, flattened channel-major like PyTorch)
/// or [N]. Spins of an input layer are clamped to values supplied per input; the others are sampled.
/// </summary>
public sealed class SpinLayer
{
    /// <summary>Unique name (the compiler uses the module path, e.g. "features.3").</summary>
    public string Name { get; }
    /// <summary>[C, H, W] or [N].</summary>
    public int[] Shape { get; }
    /// <summary>Whether the layer is clamped to input values (otherwise free).</summary>
    public bool IsInput { get; }
    /// <summary>Number of spins.</summary>
    public int Size { get; }

    /// <summary>Creates a layer; the shape must be [N] or [C, H, W] with positive sizes.</summary>
    public SpinLayer(string name, int[] shape, bool isInput = false)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("spin layer name must not be empty");
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length is not (1 or 3) || Array.Exists(shape, d => d <= 0))
            throw new ArgumentException($"spin layer '{name}': shape [{string.Join(", ", shape)}] must be [N] or [C, H, W] with positive sizes");
        long size = 1;
        foreach (int d in shape) size *= d;
        if (size > int.MaxValue / 4) throw new ArgumentException($"spin layer '{name}': {size} spins is too many");
        Name = name; Shape = (int[])shape.Clone(); IsInput = isInput; Size = (int)size;
    }

    /// <summary>Channels C of a [C, H, W] layer (N of an [N] layer).</summary>
    public int Channels => Shape[0];
    /// <summary>Height H (1 for an [N] layer).</summary>
    public int Height => Shape.Length == 3 ? Shape[1] : 1;
    /// <summary>Width W (1 for an [N] layer).</summary>
    public int Width => Shape.Length == 3 ? Shape[2] : 1;
    /// <summary>Shape as "[a, b, c]".</summary>
    public string ShapeString => $"[{string.Join(", ", Shape)}]";

    /// <inheritdoc/>
    public override string ToString() => $"{Name}{ShapeString}{(IsInput ? " input" : "")}";
}
