using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Thermo.Analysis;
using Thermo.Blocks;
using Thermo.Data;
using Thermo.IO;
using Thermo.Reports;

namespace Thermo.Cli.Commands;

/// <summary>
/// <c>thermo schedule</c>: choose samples per block for a target accuracy (or budget) at least cost, from a pilot run;
/// subcommands measure what the choice rests on: <c>curve</c> (predicted against measured accuracy), <c>autocorr</c>
/// (autocorrelation times, Dobrushin bound), <c>compare</c> (uniform, optimal and adaptive sampling at equal accuracy)
/// and <c>ledger</c> (spin updates, glue operations and energy per inference).
/// </summary>
public static class ScheduleCommand
{
    /// <summary>Builds the command group.</summary>
    public static Command Create()
    {
        var options = new ScheduleOptions();
        var examples = options.Examples(500);
        var target = new Option<double?>("--target-accuracy") { Description = "accuracy to reach, as a fraction (0.98) or percent (98)" }.Above(0d, 100d);
        var budget = new Option<double?>("--budget") { Description = "spin updates per inference allowed" }.Above(0d, double.MaxValue);
        var grid = new Option<string>("--grid") { Description = "candidate G of the upstream blocks (the pilot covers every combination)", DefaultValueFactory = _ => "1,3,5,7,9,13,17,25,33,49,65,129" };
        var cmd = new Command("schedule", """
            Choose samples G (and the last block's burn-in) per block to reach a target accuracy with the fewest spin
            updates, or the best accuracy within a budget. A pilot on --examples test images predicts the accuracy of every
            schedule (see docs/analysis.md); the optimiser searches the grid. Subcommands measure the pieces.

            Examples:
              thermo schedule --model runs/mnist/model.safetensors --target-accuracy 0.985
              thermo schedule --model runs/mnist/model.safetensors --budget 2e6 --json
              thermo schedule compare --model runs/mnist/model.safetensors --examples 1000 --out runs/mnist/schedule
            """) { options.Model, target, budget, options.Dataset, options.DataDir, examples, options.Start, grid, options.Burn, options.Pool, options.Draws, options.Seed, options.Out, options.Force, options.Json };
        cmd.WithAction(parse => Choose(parse, options, parse.GetValue(examples), parse.GetValue(target), parse.GetValue(budget), ScheduleOptions.ParseList(parse.GetValue(grid)!, "--grid")));
        cmd.Subcommands.Add(ScheduleCurveCommand.Create(options));
        cmd.Subcommands.Add(ScheduleAutocorrCommand.Create(options));
        cmd.Subcommands.Add(ScheduleCompareCommand.Create(options));
        cmd.Subcommands.Add(ScheduleLedgerCommand.Create(options));
        return cmd;
    }

    /// <summary>The root action: the cheapest schedule for the target (or the best within the budget) as the pilot predicts it.</summary>
    static int Choose(ParseResult parse, ScheduleOptions options, int examples, double? target, double? budget, int[] grid)
    {
        if (target is null && budget is null) throw new ArgumentException("give --target-accuracy, --budget or both");
        using var output = options.Claim(parse);
        bool json = parse.GetValue(options.Json);
        var loaded = options.Load(parse, examples);
        var pipeline = loaded.Pipeline;
        int last = pipeline.Blocks - 1;
        var status = ScheduleOptions.Status(json);
        var pilot = PilotModel.Fit(pipeline, loaded.Inputs, loaded.Labels, loaded.Start, ScheduleOptions.UpstreamPaths(grid, last), options.PilotOptions(parse), ScheduleOptions.Progress(status));
        status?.End();
        int burn = parse.GetValue(options.Burn);
        var grids = Enumerable.Range(0, pipeline.Blocks).Select(b => b == last ? ScheduleOptimizer.DefaultGrid(1024) : grid).ToList();
        var burnIns = Enumerable.Range(0, pipeline.Blocks).Select(b => b == last ? Enumerable.Range(0, burn + 1).ToArray() : new[] { burn }).ToList();
        var optimizer = new ScheduleOptimizer(pilot, pipeline.FreeSpins, grids, burnIns);
        BlockSchedule? best = null;
        string goal;
        if (target is double t)
        {
            best = optimizer.MinimiseCost(ScheduleOptions.Fraction(t));
            goal = $"target accuracy {100 * ScheduleOptions.Fraction(t):F2}%";
            if (best is not null && budget is double b0 && optimizer.Cost(best) > b0)
            {
                Console.Error.WriteLine($"the cheapest schedule for the target costs {optimizer.Cost(best):N0} spin updates, above the budget {b0:N0}; giving the best within the budget");
                best = optimizer.MaximiseAccuracy(b0);
                goal = $"budget {b0:N0} spin updates";
            }
        }
        else
        {
            best = optimizer.MaximiseAccuracy(budget!.Value);
            goal = $"budget {budget:N0} spin updates";
        }
        if (best is null) throw new ArgumentException($"no schedule on the grid reaches the {goal} (largest grid schedule predicted at {100 * optimizer.Accuracy(new BlockSchedule(grids.Select(g => g[^1]).ToArray(), burnIns.Select(x => x[^1]).ToArray())):F2}%)");
        var (acc, se) = pilot.PredictWithError(best);
        // The best uniform schedule (same G and burn-in everywhere) on the grid, for comparison.
        BlockSchedule? uniform = null;
        foreach (int g in grid)
        {
            var candidate = BlockSchedule.Uniform(pipeline.Blocks, g, burn);
            double predicted = pilot.PredictAccuracy(candidate);
            bool ok = target is double tt ? predicted >= ScheduleOptions.Fraction(tt) : candidate.Cost(pipeline.FreeSpins) <= budget!.Value;
            if (!ok) continue;
            if (uniform is null || (target is not null ? candidate.Cost(pipeline.FreeSpins) < uniform.Cost(pipeline.FreeSpins) : predicted > pilot.PredictAccuracy(uniform))) uniform = candidate;
        }
        var ledger = CostLedger.For(pipeline, best);
        if (json)
        {
            var choice = new JsonObject
            {
                ["model"] = loaded.ModelName, ["examples"] = loaded.Labels.Length, ["goal"] = goal,
                ["schedule"] = best.ToString(),
                ["samples"] = new JsonArray(best.Samples.Select(v => (JsonNode)v).ToArray()),
                ["burn_in"] = new JsonArray(best.BurnIn.Select(v => (JsonNode)v).ToArray()),
                ["predicted_accuracy"] = acc, ["predicted_standard_error"] = se,
                ["spin_updates"] = best.Cost(pipeline.FreeSpins),
                ["spin_updates_per_block"] = new JsonArray(ledger.SpinUpdates.Select(v => (JsonNode)v).ToArray()),
                ["uniform"] = uniform is null ? null : new JsonObject { ["samples"] = uniform.Samples[0], ["spin_updates"] = uniform.Cost(pipeline.FreeSpins), ["predicted_accuracy"] = pilot.PredictAccuracy(uniform) },
                ["pilot_spin_updates"] = pilot.PilotSpinUpdates, ["tau_last_block"] = pilot.LastBlockTau,
            };
            Console.WriteLine(choice.ToFiniteJson());
        }
        else
        {
            Console.WriteLine($"{loaded.ModelName}: {goal}, predicted on {loaded.Labels.Length} {loaded.Dataset} test examples");
            Console.WriteLine($"  schedule     G = {string.Join(",", best.Samples)}, burn-in {string.Join(",", best.BurnIn)}  ({best})");
            Console.WriteLine($"  accuracy     {100 * acc:F2}% ± {100 * se:F2} (predicted)");
            Console.WriteLine($"  cost         {best.Cost(pipeline.FreeSpins):N0} spin updates per inference (blocks: {string.Join(" + ", ledger.SpinUpdates.Select(v => v.ToString("N0", CultureInfo.InvariantCulture)))})");
            if (uniform is not null)
                Console.WriteLine($"  uniform      G = {uniform.Samples[0]} in every block: {uniform.Cost(pipeline.FreeSpins):N0} spin updates, {100 * pilot.PredictAccuracy(uniform):F2}% predicted ({uniform.Cost(pipeline.FreeSpins) / best.Cost(pipeline.FreeSpins):F2}× the cost)");
            foreach (var prof in EnergyProfile.IsingDefaults)
                Console.WriteLine($"  energy       {prof.Name}: {ledger.Energy(prof, EnergyProfile.Digital45nm()).Total:E2} J per inference");
        }
        if (output is not null)
        {
            var report = RunReport.Start($"Schedule: {loaded.ModelName} ({goal})", ReportKind.Schedule, parse.GetValue(options.Seed));
            report.Result("predicted_accuracy", acc).Result("spin_updates", best.Cost(pipeline.FreeSpins)).Detail("schedule", best.ToString());
            var rows = new List<(string, CostLedger)> { ($"optimal {best}", ledger) };
            if (uniform is not null) rows.Add(($"uniform {uniform}", CostLedger.For(pipeline, uniform)));
            InferenceReport.AddLedger(report, rows);
            report.Write(output.Path);
            output.Commit();
        }
        return 0;
    }
}
