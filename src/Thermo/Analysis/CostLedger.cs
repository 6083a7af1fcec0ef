using Thermo.Blocks;
using Thermo.Sampling;

namespace Thermo.Analysis;

/// <summary>
/// Where the work of one inference goes. Ising work: n_b (T_b + G_b) spin updates in block b (one chain). Digital work
/// (counted operations): binarising the image (one compare per pixel); per intermediate block, accumulating every output
/// spin over G_b samples and taking its sign (n_out·(G_b + 1)); in the last block, accumulating the C·P output spins
/// over G_B samples, the C class sums and the arg-max (C − 1 compares). For comparison, a digital forward pass of the
/// same network costs Σ (multiply–accumulates of every coupling W·x), <see cref="IsingBlockNet.CouplingMacsPerSample"/>.
/// </summary>
/// <param name="SpinUpdates">Per block, spin updates per inference.</param>
/// <param name="DigitalOps">Per block, digital operations (block 0 includes the image binarisation).</param>
/// <param name="DigitalNetworkMacs">MACs of the equivalent digital forward pass.</param>
public sealed record CostLedger(double[] SpinUpdates, double[] DigitalOps, double DigitalNetworkMacs)
{
    /// <summary>Ledger of a fixed schedule.</summary>
    public static CostLedger For(BlockPipeline pipeline, BlockSchedule schedule)
    {
        int blocks = pipeline.Blocks;
        var spins = new double[blocks];
        var ops = new double[blocks];
        for (int b = 0; b < blocks; b++)
        {
            spins[b] = Schedule.SpinUpdates(pipeline.FreeSpins[b], schedule.Sweeps(b));
            double outs = pipeline.OutputSize(b), g = schedule.Samples[b];
            ops[b] = b < blocks - 1 ? outs * (g + 1) : outs * g + pipeline.Classes * (pipeline.Population - 1) + (pipeline.Classes - 1);
        }
        ops[0] += pipeline.InputWidth(0);
        return new CostLedger(spins, ops, pipeline.Compiled.CouplingMacsPerSample);
    }

    /// <summary>Ledger of a measured adaptive run (means over its examples).</summary>
    public static CostLedger For(BlockPipeline pipeline, AdaptiveOutcome outcome)
    {
        int blocks = pipeline.Blocks;
        var spins = Enumerable.Range(0, blocks).Select(outcome.MeanBlockCost).ToArray();
        var ops = new double[blocks];
        ops[0] = outcome.DigitalOps.Average() + pipeline.InputWidth(0);   // adaptive ops are not split by block
        return new CostLedger(spins, ops, pipeline.Compiled.CouplingMacsPerSample);
    }

    /// <summary>Total spin updates per inference.</summary>
    public double TotalSpinUpdates => SpinUpdates.Sum();
    /// <summary>Total digital operations per inference.</summary>
    public double TotalDigitalOps => DigitalOps.Sum();
    /// <summary>Fraction of all counted operations that are Ising spin updates.</summary>
    public double IsingFraction => TotalSpinUpdates / (TotalSpinUpdates + TotalDigitalOps);

    /// <summary>Energy per inference on <paramref name="ising"/> for the spins plus <paramref name="digital"/> for the glue (J).</summary>
    public (double Ising, double Digital, double Total) Energy(EnergyProfile ising, EnergyProfile digital)
    {
        double e = TotalSpinUpdates * ising.JoulesPerSpinUpdate, d = TotalDigitalOps * digital.JoulesPerOp;
        return (e, d, e + d);
    }

    /// <summary>Energy of the digital network's forward pass on <paramref name="digital"/> (J).</summary>
    public double DigitalNetworkEnergy(EnergyProfile digital) => DigitalNetworkMacs * digital.JoulesPerMac;

    /// <summary>Thermodynamic advantage: digital forward-pass energy over the Ising machine's (spins + glue) energy.</summary>
    public double Advantage(EnergyProfile ising, EnergyProfile digital) => DigitalNetworkEnergy(digital) / Energy(ising, digital).Total;
}
