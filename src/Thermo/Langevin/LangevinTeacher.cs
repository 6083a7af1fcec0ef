using Thermo.Autograd;
using Thermo.Nn;
using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Langevin;

/// <summary>Activation of the teacher network.</summary>
public enum TeacherActivation
{
    /// <summary>tanh (bounded; targets are then scaled by an amplitude).</summary>
    Tanh,
    /// <summary>The unit's own equilibrium response u(z), 2 J2 u + 4 J4 u³ = z (<see cref="EquilibriumResponse"/>).</summary>
    Equilibrium,
}

/// <summary>
/// The teacher of teacher–student training: a digital network with the computer's layout,
/// <code>h = φ(W₁ x + b₁),   o = φ(W₂ h + b₂),   logits = β·o</code>
/// whose activations (h, o) become the values the computer's hidden and output units should reach at t_f.
/// Optionally trained with thermal noise: h and o are perturbed by their equilibrium fluctuation
/// √(kT / (2 J2 + 12 J4 u²)) (local harmonic approximation), which pushes the teacher towards activations large
/// enough to survive the computer's noise.
/// </summary>
public sealed class LangevinTeacher : Module
{
    /// <summary>Layers x → h and h → o.</summary>
    public Linear Hidden { get; }
    /// <inheritdoc cref="Hidden"/>
    public Linear Output { get; }
    /// <summary>The activation φ.</summary>
    public TeacherActivation Activation { get; }
    /// <summary>β: softmax inverse temperature on the outputs.</summary>
    public float ReadoutScale { get; }
    /// <summary>Unit constants for the equilibrium activation and the thermal noise.</summary>
    public float J2 { get; }
    /// <inheritdoc cref="J2"/>
    public float J4 { get; }
    /// <inheritdoc cref="J2"/>
    public float KT { get; }
    /// <summary>Multiplier of the thermal-noise injection while training (0 = off).</summary>
    public float NoiseScale { get; set; }
    /// <summary>Seed of the injected noise; each training forward pass uses a new stream.</summary>
    public ulong NoiseSeed { get; set; }
    ulong calls;

    /// <summary>Creates the teacher for <paramref name="computer"/>'s layout and constants.</summary>
    public LangevinTeacher(LangevinComputer computer, TeacherActivation activation, float readoutScale = 4f, float noiseScale = 0f)
    {
        Hidden = Child("hidden", new Linear(computer.Inputs, computer.Hidden));
        Output = Child("output", new Linear(computer.Hidden, computer.Outputs));
        Activation = activation; ReadoutScale = readoutScale; NoiseScale = noiseScale;
        J2 = computer.J2; J4 = computer.J4; KT = computer.KT;
    }

    /// <summary>Activations (h, o) for a batch [N × I].</summary>
    public (Tensor Hidden, Tensor Output) Activations(Tensor x)
    {
        var h = Phi(Hidden.Forward(x));
        if (Training && NoiseScale > 0) h = AddThermalNoise(h);
        var o = Phi(Output.Forward(h));
        if (Training && NoiseScale > 0) o = AddThermalNoise(o);
        return (h, o);
    }

    /// <summary>Logits β·o.</summary>
    public override Tensor Forward(Tensor x) => F.Scale(Activations(x).Output, ReadoutScale);

    Tensor Phi(Tensor z) => Activation == TeacherActivation.Tanh ? F.Tanh(z) : EquilibriumResponse.Apply(z, J2, J4);

    Tensor AddThermalNoise(Tensor u)
    {
        var noise = Tensor.Empty(u.Shape);
        Philox.FillNormal(NoiseSeed, Philox.Stream(0x7EAC4E5, calls++), 0, noise.Data);
        var ud = u.Data; var nd = noise.Data;
        for (int i = 0; i < nd.Length; i++) nd[i] *= NoiseScale * MathF.Sqrt(KT / (2 * J2 + 12 * J4 * ud[i] * ud[i]));
        return F.Add(u, noise);
    }

    /// <inheritdoc/>
    public override string Describe() => $"LangevinTeacher({Hidden.InFeatures}→{Hidden.OutFeatures}→{Output.OutFeatures}, {Activation})";
}
