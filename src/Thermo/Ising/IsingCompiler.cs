using Thermo.Nn;

namespace Thermo.Ising;

/// <summary>
/// Compiles a trained network into the <see cref="IsingProgram"/> an Ising machine runs. The input becomes a
/// clamped spin layer; every Linear/Conv2d is a coupling block W(ℓ) with bias b(ℓ) into a new spin layer, whose
/// activation (Tanh, HardTanh or SignSte) marks it as spins: at β = δ = 1 the mean field of layer ℓ given
/// layer ℓ−1 is tanh(W(ℓ)s + b(ℓ)), the network's own activation. Batch norm (evaluation statistics) folds
/// into the preceding couplings and bias; average pooling of spins folds into the next couplings; dropout
/// is the identity. A final Linear/Conv2d without activation gives the output spins. Anything else (ReLU,
/// max pooling, residual branches, …) is refused with an <see cref="ArgumentException"/> naming the layer.
/// New module kinds can be taught through <see cref="Rules"/>.
/// </summary>
public sealed class IsingCompiler
{
    /// <summary>Inverse temperature β of the compiled program.</summary>
    public float Beta { get; init; } = 1f;
    /// <summary>Temperature gradient δ of the compiled program.</summary>
    public float Delta { get; init; } = 1f;

    /// <summary>
    /// Extra rules, tried before the built-in ones: a rule returns true when it handled the module (given with
    /// its dotted name) by driving the <see cref="IsingCompilerState"/>.
    /// </summary>
    public List<Func<Module, string, IsingCompilerState, bool>> Rules { get; } = new();

    /// <summary>Compiles <paramref name="model"/> (a <see cref="Sequential"/>, nested ones are flattened) for inputs of shape <paramref name="inputShape"/> ([C, H, W] or [N]).</summary>
    public IsingProgram Compile(Module model, int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        var state = new IsingCompilerState(inputShape);
        foreach (var (name, module) in Flatten(model, ""))
        {
            bool handled = false;
            foreach (var rule in Rules) if (rule(module, name, state)) { handled = true; break; }
            if (!handled) BuiltIn(module, name, state);
        }
        return state.Build(Beta, Delta);
    }

    static IEnumerable<(string, Module)> Flatten(Module m, string prefix)
    {
        if (m is Sequential seq)
        {
            foreach (var (n, child) in seq.Children)
                foreach (var x in Flatten(child, prefix.Length == 0 ? n : prefix + "." + n)) yield return x;
        }
        else yield return (prefix.Length == 0 ? m.GetType().Name : prefix, m);
    }

    static void BuiltIn(Module module, string name, IsingCompilerState state)
    {
        string what = $"layer {name} ({module.Describe()})";
        switch (module)
        {
            case Linear lin:
                state.BeginDense(name, (float[])lin.Weight.Data.Clone(), (float[]?)lin.Bias?.Data.Clone(), lin.OutFeatures, lin.InFeatures);
                break;
            case Nn.Conv2d conv:
                state.BeginConv(name, (float[])conv.Weight.Data.Clone(), (float[]?)conv.Bias?.Data.Clone(), conv.OutChannels, conv.InChannels, conv.Kernel, conv.Stride, conv.Padding, conv.Groups);
                break;
            case BatchNorm bn:
            {
                var scale = new float[bn.Channels];
                var shift = new float[bn.Channels];
                for (int c = 0; c < bn.Channels; c++)
                {
                    float inv = 1f / MathF.Sqrt(bn.RunningVar.Data[c] + bn.Eps);
                    scale[c] = bn.Gamma.Data[c] * inv;
                    shift[c] = bn.Beta.Data[c] - bn.RunningMean.Data[c] * scale[c];
                }
                state.ScalePending(name, scale, shift);
                break;
            }
            case Tanh or HardTanh or SignSte:
                state.CloseSpinLayer(name);
                break;
            case AvgPool2d pool:
                state.AveragePool(name, pool.Kernel, pool.Stride);
                break;
            case GlobalAvgPool:
                state.GlobalPool(name);
                break;
            case Nn.Flatten or Dropout:
                break;
            case Relu:
                throw new ArgumentException($"{what}: ReLU has no Ising mapping (spins are ±1, their mean is tanh-shaped); use Tanh, HardTanh or SignSte");
            case MaxPool2d:
                throw new ArgumentException($"{what}: max pooling does not map onto couplings; use AvgPool2d");
            case Residual:
                throw new ArgumentException($"{what}: residual branches do not map onto a layered Ising program");
            default:
                throw new ArgumentException($"{what}: no Ising mapping for {module.GetType().Name}");
        }
    }
}
