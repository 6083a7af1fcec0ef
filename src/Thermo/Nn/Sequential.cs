using Thermo.Tensors;

namespace Thermo.Nn;

/// <summary>Applies children in order.</summary>
public sealed class Sequential : Module
{
    readonly List<Module> layers = new();

    /// <summary>Builds from layers, named "0", "1", ….</summary>
    public Sequential(params Module[] modules)
    {
        foreach (var m in modules) Add(m);
    }

    /// <summary>Appends a layer.</summary>
    public Sequential Add(Module m)
    {
        layers.Add(Child(layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), m));
        return this;
    }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<Module> Layers => layers;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x)
    {
        foreach (var m in layers) x = m.Forward(x);
        return x;
    }
}
