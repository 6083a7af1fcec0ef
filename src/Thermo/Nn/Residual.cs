using Thermo.Autograd;
using Thermo.Tensors;

namespace Thermo.Nn;

/// <summary>y = body(x) + shortcut(x) (shortcut = identity when null).</summary>
public sealed class Residual : Module
{
    /// <summary>The residual branch and optional projection shortcut.</summary>
    public Module Body { get; }
    /// <inheritdoc cref="Body"/>
    public Module? Shortcut { get; }

    /// <summary>Creates the block.</summary>
    public Residual(Module body, Module? shortcut = null)
    {
        Body = Child("body", body);
        if (shortcut is not null) Shortcut = Child("shortcut", shortcut);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.Add(Body.Forward(x), Shortcut is null ? x : Shortcut.Forward(x));
}
