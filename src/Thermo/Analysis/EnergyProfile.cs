namespace Thermo.Analysis;

/// <summary>
/// Energy per operation of a machine, with where the figure comes from. Ising profiles price one spin update (one
/// attempted flip of a p-bit, local field included unless stated); digital profiles price one multiply–accumulate and
/// one simple integer operation (add, compare, sign).
/// </summary>
/// <param name="Name">Short name.</param>
/// <param name="JoulesPerSpinUpdate">Energy of one spin update (NaN for a digital-only profile).</param>
/// <param name="JoulesPerMac">Energy of one multiply–accumulate (NaN for an Ising-only profile).</param>
/// <param name="JoulesPerOp">Energy of one integer add/compare in the digital glue.</param>
/// <param name="Source">Citation, or "assumption: …" when no stored source gives the number.</param>
public sealed record EnergyProfile(string Name, double JoulesPerSpinUpdate, double JoulesPerMac, double JoulesPerOp, string Source)
{
    /// <summary>Boltzmann's constant (J/K).</summary>
    public const double Boltzmann = 1.380649e-23;

    /// <summary>Landauer's bound kT ln 2 per spin update (one bit overwritten) at <paramref name="kelvin"/>: 2.87e-21 J at 300 K.</summary>
    public static EnergyProfile Landauer(double kelvin = 300) =>
        new($"Landauer bound ({kelvin:0} K)", Boltzmann * kelvin * Math.Log(2), double.NaN, Boltzmann * kelvin * Math.Log(2),
            "kT ln 2 (Landauer 1961): the minimum heat of erasing one bit; a lower bound, not a machine");

    /// <summary>
    /// A p-bit FPGA at 60 flips/ns (shared/docs/method.md §3; Aadit et al., Nature Electronics 5, 460 (2022) report FPGA
    /// sparse Ising machines at this scale) drawing an assumed 15 W: 0.25 nJ per spin update.
    /// </summary>
    public static EnergyProfile PbitFpga(double flipsPerNanosecond = 60, double watts = 15) =>
        new("p-bit FPGA", watts / (flipsPerNanosecond * 1e9), double.NaN, double.NaN,
            $"{flipsPerNanosecond} flips/ns (method.md §3, Aadit et al. 2022); power {watts} W is an assumption: no stored source gives the board power");

    /// <summary>A V100 GPU sampling lattices at about 400 flips/ns at its 300 W TDP: 0.75 nJ per spin update.</summary>
    public static EnergyProfile GpuV100(double flipsPerNanosecond = 400, double watts = 300) =>
        new("GPU (V100)", watts / (flipsPerNanosecond * 1e9), double.NaN, double.NaN,
            $"{flipsPerNanosecond} flips/ns per V100 (method.md §3) at its {watts} W TDP (board power at full load, an upper estimate)");

    /// <summary>
    /// A stochastic-MTJ p-bit: 2 fJ per random bit (Kobayashi et al., "CMOS + stochastic nanomagnets", arXiv:2304.05949,
    /// projected with a predictive PDK; the random-number part only, synapse excluded).
    /// </summary>
    public static EnergyProfile StochasticMtj() =>
        new("sMTJ p-bit (projected, RNG only)", 2e-15, double.NaN, double.NaN,
            "2 fJ per random bit, Kobayashi et al. arXiv:2304.05949 (2023), projected; excludes the local-field (synapse) computation");

    /// <summary>
    /// Digital CMOS at 45 nm (Horowitz, ISSCC 2014, as tabulated e.g. in PMC8934428): float32 multiply 3.7 pJ + add 0.9 pJ
    /// = 4.6 pJ per MAC; int32 add 0.1 pJ per glue operation. Memory traffic is not included.
    /// </summary>
    public static EnergyProfile Digital45nm() =>
        new("digital 45 nm (fp32 MAC)", double.NaN, 4.6e-12, 0.1e-12,
            "Horowitz, ISSCC 2014 (45 nm, 0.9 V): fp32 mult 3.7 pJ + add 0.9 pJ; int32 add 0.1 pJ; memory access excluded");

    /// <summary>The Ising profiles reported by default.</summary>
    public static IReadOnlyList<EnergyProfile> IsingDefaults => [Landauer(), StochasticMtj(), PbitFpga(), GpuV100()];
}
