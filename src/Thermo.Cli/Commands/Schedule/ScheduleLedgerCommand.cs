using System.CommandLine;
using System.Text.Json.Nodes;
using Thermo.Analysis;
using Thermo.Blocks;
using Thermo.Data;
using Thermo.IO;
using Thermo.Reports;
using Thermo.Training;

namespace Thermo.Cli.Commands;

/// <summary><c>thermo schedule ledger</c>: spin updates, glue operations and energy per inference of one schedule (no sampling).</summary>
internal static class ScheduleLedgerCommand
{
    /// <summary>Builds the subcommand.</summary>
    public static Command Create(ScheduleOptions options)
    {
        var samples = new Option<string>("--samples") { Description = "G per block: one number or one per block", DefaultValueFactory = _ => "64" };
        var cmd = new Command("ledger", "Spin updates, digital glue operations and energy per inference of a schedule on the documented hardware profiles (no sampling).")
            { options.Model, samples, options.Burn, options.Out, options.Force, options.Json };
        cmd.WithAction(parse =>
        {
            using var output = options.Claim(parse);
            var (name, pipeline, _) = ScheduleOptions.LoadPipeline(parse.GetValue(options.Model)!);
            var schedule = BlockSchedule.Parse(parse.GetValue(samples)!, pipeline.Blocks, parse.GetValue(options.Burn), "--samples", ScheduleOptions.MaxSamples);
            var ledger = CostLedger.For(pipeline, schedule);
            var digital = EnergyProfile.Digital45nm();
            if (parse.GetValue(options.Json))
                Console.WriteLine(new JsonObject
                {
                    ["model"] = name, ["schedule"] = schedule.ToString(),
                    ["spin_updates"] = new JsonArray(ledger.SpinUpdates.Select(v => (JsonNode)v).ToArray()), ["digital_ops"] = new JsonArray(ledger.DigitalOps.Select(v => (JsonNode)v).ToArray()),
                    ["digital_network_macs"] = ledger.DigitalNetworkMacs, ["ising_fraction"] = ledger.IsingFraction,
                    ["energy"] = new JsonArray(EnergyProfile.IsingDefaults.Select(pr => (JsonNode)new JsonObject
                    {
                        ["profile"] = pr.Name, ["joules_per_spin_update"] = pr.JoulesPerSpinUpdate, ["joules"] = ledger.Energy(pr, digital).Total, ["advantage"] = ledger.Advantage(pr, digital), ["source"] = pr.Source,
                    }).ToArray()),
                    ["digital_network_joules"] = ledger.DigitalNetworkEnergy(digital),
                }.ToFiniteJson());
            else
            {
                Console.WriteLine($"{name}, schedule {schedule}");
                for (int b = 0; b < pipeline.Blocks; b++) Console.WriteLine($"  block {b}: {pipeline.FreeSpins[b]:N0} free spins × {schedule.Sweeps(b)} sweeps = {ledger.SpinUpdates[b]:N0} spin updates; {ledger.DigitalOps[b]:N0} glue ops");
                Console.WriteLine($"  total {ledger.TotalSpinUpdates:N0} spin updates, {ledger.TotalDigitalOps:N0} glue ops (Ising share {100 * ledger.IsingFraction:F2}%); digital forward pass {ledger.DigitalNetworkMacs:N0} MACs = {ledger.DigitalNetworkEnergy(digital):E2} J at 45 nm");
                foreach (var pr in EnergyProfile.IsingDefaults)
                    Console.WriteLine($"  {pr.Name,-34} {pr.JoulesPerSpinUpdate:E2} J/update → {ledger.Energy(pr, digital).Total:E2} J per inference, advantage {ledger.Advantage(pr, digital):E2}");
            }
            if (output is not null)
            {
                var report = RunReport.Start($"Cost ledger: {name} ({schedule})", ReportKind.Schedule);
                InferenceReport.AddLedger(report, [(schedule.ToString(), ledger)]);
                report.Write(output.Path);
                output.Commit();
            }
            return 0;
        });
        return cmd;
    }
}
