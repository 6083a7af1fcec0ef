namespace Thermo.Langevin;

/// <summary>
/// Energy of one inference, thermodynamic versus digital. The computer's cost is the heat Q it releases to the bath
/// along a trajectory (Sekimoto; measured by <see cref="LangevinSimulator"/>) in the energy unit of V, the unit its
/// couplings and kT are given in. In units of the thermal energy it is Q/kT, and in joules Q/kT · k_B T with T =
/// <see cref="TemperatureKelvin"/>. With kT = 0 (the noise off) there is no thermal energy scale: Q/kT, the joules and
/// the advantage are NaN and <see cref="Unavailable"/> says why. The digital cost is the multiply-accumulates of the
/// equivalent feed-forward network (the teacher's shape: I·H + H·O) times an energy per MAC; the default 4.6 pJ is a
/// 32-bit float multiply (3.7 pJ) plus add (0.9 pJ) at 45 nm from M. Horowitz, "Computing's energy problem (and what we
/// can do about it)", ISSCC 2014 — arithmetic only, no memory traffic, so a generous digital baseline.
/// Advantage = digital / thermodynamic joules.
/// </summary>
public sealed record InferenceEnergy
{
    /// <summary>Boltzmann's constant in J/K.</summary>
    public const double Boltzmann = 1.380649e-23;
    /// <summary>Horowitz 2014, 45 nm: FP32 multiply 3.7 pJ + FP32 add 0.9 pJ.</summary>
    public const double Fp32MacJoules = 4.6e-12;
    /// <summary>Horowitz 2014, 45 nm: 8-bit integer multiply 0.2 pJ + 8-bit add 0.03 pJ.</summary>
    public const double Int8MacJoules = 0.23e-12;

    /// <summary>Mean heat Q released per inference, in the energy unit of V.</summary>
    public required double Heat { get; init; }
    /// <summary>Its standard deviation over trajectories, in the energy unit of V.</summary>
    public required double HeatStd { get; init; }
    /// <summary>The computer's kT in the energy unit of V (0 = noise off).</summary>
    public required double KT { get; init; }
    /// <summary>Temperature that converts kT to joules.</summary>
    public double TemperatureKelvin { get; init; } = 300;
    /// <summary>MACs of the equivalent digital network per inference.</summary>
    public required long DigitalMacs { get; init; }
    /// <summary>Energy per MAC assumed for the digital network.</summary>
    public double JoulesPerMac { get; init; } = Fp32MacJoules;

    /// <summary>Why the heat has no value in kT or joules (kT = 0), or null when it has.</summary>
    public string? Unavailable => KT > 0 ? null
        : "kT = 0 (noise off): there is no thermal energy scale, so the heat has no value in kT or in joules and there is no advantage; it is given in the energy unit of V";
    /// <summary>Mean heat per inference in kT (Q/kT; NaN when kT = 0).</summary>
    public double HeatKT => KT > 0 ? Heat / KT : double.NaN;
    /// <summary>Its standard deviation in kT (NaN when kT = 0).</summary>
    public double HeatStdKT => KT > 0 ? HeatStd / KT : double.NaN;
    /// <summary>k_B T in joules.</summary>
    public double KTJoules => Boltzmann * TemperatureKelvin;
    /// <summary>Thermodynamic energy per inference in joules (NaN when kT = 0).</summary>
    public double HeatJoules => HeatKT * KTJoules;
    /// <summary>Digital energy per inference in joules.</summary>
    public double DigitalJoules => DigitalMacs * JoulesPerMac;
    /// <summary>Digital / thermodynamic energy (NaN unless the heat in joules is positive).</summary>
    public double Advantage => HeatJoules > 0 ? DigitalJoules / HeatJoules : double.NaN;

    /// <summary>MACs of the feed-forward network with the computer's layer sizes: I·H + H·O (plus I·O without hidden units).</summary>
    public static long EquivalentMacs(LangevinComputer c) => c.Hidden > 0 ? (long)c.Inputs * c.Hidden + (long)c.Hidden * c.Outputs : (long)c.Inputs * c.Outputs;
}
