using Thermo.Blocks;
using Thermo.Analysis;

namespace Thermo.Tests.Analysis;

public class CostLedgerTests
{
    [Fact]
    public void Ledger_counts_spin_updates_glue_operations_and_energy()
    {
        var net = TinyBlockNets.TwoDense(1, classes: 4, population: 3);
        var p = new BlockPipeline(net);
        var s = new BlockSchedule([5, 7], [2, 3]);
        var ledger = CostLedger.For(p, s);
        Assert.Equal([(24 + 16) * 7.0, (16 + 12) * 10.0], ledger.SpinUpdates);
        // Block 0: 64 pixel compares + 16 outputs × (5 accumulations + 1 sign); block 1: 12 × 7 accumulations,
        // 4 class sums of 3 (2 adds each), 3 arg-max compares.
        Assert.Equal([64 + 16 * 6.0, 12 * 7 + 4 * 2 + 3.0], ledger.DigitalOps);
        Assert.Equal(64 * 24 + 24 * 16 + 16 * 16 + 16 * 12.0, ledger.DigitalNetworkMacs);
        Assert.Equal(s.Cost(p.FreeSpins), ledger.TotalSpinUpdates);
        var landauer = EnergyProfile.Landauer();
        Assert.Equal(2.87e-21, landauer.JoulesPerSpinUpdate, 1e-23);
        var digital = EnergyProfile.Digital45nm();
        var (ising, glue, total) = ledger.Energy(EnergyProfile.GpuV100(), digital);
        Assert.Equal(ledger.TotalSpinUpdates * 0.75e-9, ising, 1e-18);
        Assert.Equal(ledger.TotalDigitalOps * 0.1e-12, glue, 1e-24);
        Assert.Equal(ledger.DigitalNetworkMacs * 4.6e-12 / total, ledger.Advantage(EnergyProfile.GpuV100(), digital), 12);
        Assert.InRange(ledger.IsingFraction, 0.5, 1);
    }
}
