using System.CommandLine;
using System.Text.Json.Nodes;
using Thermo.Analysis;
using Thermo.Blocks;
using Thermo.Data;
using Thermo.IO;
using Thermo.Reports;
using Thermo.Sampling;

namespace Thermo.Cli.Commands;

/// <summary><c>thermo schedule compare</c>: uniform, optimal and adaptive sampling measured on the same examples, compared at one accuracy.</summary>
internal static class ScheduleCompareCommand
{
    /// <summary>The "kind" of the JSON document <c>--shard 0/1 --out FILE</c> writes.</summary>
    public const string CompareKind = "schedule-compare";

    /// <summary>
    /// `thermo merge` of a comparison: it is never split, so the merge is the one 0/1 document (what the merge job of
    /// `thermo slurm submit --shards 1` runs).
    /// </summary>
    public static JsonObject Merge(IReadOnlyList<(string Source, JsonObject Doc)> shards)
    {
        ShardDocuments.RequireEveryShardOnce(shards);
        if (shards.Count != 1) throw new InvalidDataException("a schedule comparison is one piece: merge exactly one 0/1 document");
        var merged = (JsonObject)shards[0].Doc.DeepClone();
        merged["shard"] = "merged";
        return merged;
    }

    /// <summary>Builds the subcommand.</summary>
    public static Command Create(ScheduleOptions options)
    {
        var examples = options.Examples(1000);
        var target = new Option<double?>("--target-accuracy") { Description = "common accuracy A* (default: --below under the plateau of the uniform curve)" }.Above(0d, 100d);
        var below = new Option<double>("--below") { Description = "default A* = plateau (mean of the two longest uniform schedules) minus this", DefaultValueFactory = _ => 0.01 }.Within(0d, 1d);
        var uniform = new Option<string>("--uniform") { Description = "uniform G values measured", DefaultValueFactory = _ => "1,3,5,7,9,13,17,25,33,49,65,129,257" };
        var grid = new Option<string>("--grid") { Description = "candidate G of the upstream blocks", DefaultValueFactory = _ => "1,3,5,7,9,13,17,25,33,49,65,129" };
        var eps = new Option<string>("--epsilons") { Description = "error budgets ε of the adaptive test", DefaultValueFactory = _ => "0.3,0.1,0.03,0.01,0.003,0.001" };
        var shardOption = new Option<string?>("--shard")
        {
            Description = "only 0/1: write the result as a JSON document to --out FILE (kind schedule-compare), as `thermo slurm submit --shards 1` runs it; " +
                          "the comparison is one piece, its optimiser needs the pilot of every example at once",
        };
        var cmd = new Command("compare", """
            Uniform, optimal (pilot + optimiser) and adaptive sampling measured on the same examples; spin updates at equal accuracy.

            It runs as one piece: the target comes from the uniform curve of every example and the optimiser from the pilot
            of every example. Under Slurm: thermo slurm submit --run runs/compare --shards 1 -- schedule compare --model models/mnist
            """)
            { options.Model, options.Dataset, options.DataDir, examples, options.Start, target, below, uniform, grid, eps, shardOption, options.Burn, options.Pool, options.Draws, options.Seed, options.Out, options.Force, options.Json };
        cmd.WithAction(parse =>
        {
            bool document = parse.GetValue(shardOption) is string shardText;
            if (document && Shard.Parse(parse.GetValue(shardOption)!) != Shard.All)
                throw new ArgumentException($"--shard {parse.GetValue(shardOption)}: schedule compare cannot be split (its optimiser chooses the schedules from the pilot of every example at once); " +
                                            "give --shard 0/1 or none, and shard the measurement of the schedules it prints with `thermo eval --schedule … --shard i/N`");
            if (document && parse.GetValue(options.Out) is null) throw new ArgumentException("--shard 0/1 writes the result to --out FILE (JSON): give --out");
            var upstreamGrid = ScheduleOptions.ParseList(parse.GetValue(grid)!, "--grid");
            var uniformList = ScheduleOptions.ParseList(parse.GetValue(uniform)!, "--uniform");
            // ε is the error probability allowed to the adaptive test.
            var epsilons = ScheduleOptions.ParseDoubles(parse.GetValue(eps)!, "--epsilons", 0.5);
            using var output = document ? CommandOutput.OptionalFile(parse.GetValue(options.Out), parse.GetValue(options.Force)) : options.Claim(parse);
            bool json = parse.GetValue(options.Json);
            var loaded = options.Load(parse, parse.GetValue(examples));
            var pipeline = loaded.Pipeline;
            var status = ScheduleOptions.Status(json);
            var pilot = PilotModel.Fit(pipeline, loaded.Inputs, loaded.Labels, loaded.Start, ScheduleOptions.UpstreamPaths(upstreamGrid, pipeline.Blocks - 1), options.PilotOptions(parse), ScheduleOptions.Progress(status));
            var comparison = new ComparisonOptions
            {
                UniformSamples = uniformList, BurnIn = parse.GetValue(options.Burn),
                TargetAccuracy = parse.GetValue(target) is double accuracy ? ScheduleOptions.Fraction(accuracy) : null, BelowPlateau = parse.GetValue(below),
                Epsilons = epsilons, Seed = parse.GetValue(options.Seed),
            };
            var result = ScheduleComparison.Run(pipeline, loaded.Inputs, loaded.Labels, loaded.Start, pilot, upstreamGrid, comparison, ScheduleOptions.Progress(status));
            status?.End();
            if (result.OptimalUnreached is string why) Console.Error.WriteLine($"thermo schedule compare: {why}");
            var summary = new JsonObject
            {
                ["model"] = loaded.ModelName, ["examples"] = loaded.Labels.Length, ["target"] = result.Target,
                ["cost_at_target"] = new JsonObject(result.CostAtTarget.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)(double.IsFinite(kv.Value) ? kv.Value : null)))),
                ["saving_optimal_vs_uniform"] = double.IsFinite(result.OptimalSaving) ? result.OptimalSaving : null,
                ["saving_adaptive_vs_optimal"] = double.IsFinite(result.AdaptiveSaving) ? result.AdaptiveSaving : null,
                ["optimal_unreached"] = result.OptimalUnreached,
                ["points"] = new JsonArray(result.Points.Select(x => (JsonNode)new JsonObject { ["method"] = x.Method, ["label"] = x.Label, ["cost"] = x.Cost, ["accuracy"] = x.Accuracy }).ToArray()),
            };
            if (json) Console.WriteLine(summary.ToFiniteJson());
            else
            {
                Console.WriteLine($"{loaded.ModelName} on {loaded.Labels.Length} {loaded.Dataset} test examples; target A* = {100 * result.Target:F2}%");
                foreach (var x in result.Points) Console.WriteLine($"  {x.Method,-9} {x.Label,-28} {x.Cost,14:N0} spin updates  {100 * x.Accuracy:F2}%" + (double.IsNaN(x.Predicted) ? "" : $"  (predicted {100 * x.Predicted:F2}%)"));
                foreach (var (m, v) in result.CostAtTarget) Console.WriteLine($"  at A*: {m,-9} {v:N0} spin updates");
                Console.WriteLine($"  optimal saves {result.OptimalSaving:F2}× against uniform; adaptive saves {result.AdaptiveSaving:F2}× against optimal");
            }
            if (document)
            {
                var doc = new JsonObject { ["kind"] = CompareKind, ["shard"] = Shard.All.ToString(), ["dataset"] = loaded.Dataset, ["start"] = loaded.Start, ["seed"] = parse.GetValue(options.Seed) };
                foreach (var (key, value) in summary) doc[key] = value?.DeepClone();
                output!.PublishText(parse.GetValue(options.Out)!, doc.ToFiniteJson());
            }
            else if (output is not null)
            {
                var report = RunReport.Start($"Inference cost versus accuracy: {loaded.ModelName}", ReportKind.Schedule, parse.GetValue(options.Seed));
                report.Result("examples", loaded.Labels.Length).Result("tau_last_block", pilot.LastBlockTau);
                InferenceReport.AddComparison(report, result);
                var best = (string Method) => result.Points.Where(x => x.Method == Method && x.Accuracy >= result.Target).OrderBy(x => x.Cost).FirstOrDefault();
                var rows = new[] { "uniform", "optimal", "adaptive" }.Select(best).Where(x => x is not null).Select(x => ($"{x!.Method} {x.Label}", x.Ledger)).ToList();
                if (rows.Count > 0) InferenceReport.AddLedger(report, rows);
                report.Write(output.Path);
                output.Commit();
            }
            return 0;
        });
        return cmd;
    }
}
