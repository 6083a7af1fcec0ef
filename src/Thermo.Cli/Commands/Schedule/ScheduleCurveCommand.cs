using System.CommandLine;
using System.Text.Json.Nodes;
using Thermo.Analysis;
using Thermo.Blocks;
using Thermo.Data;
using Thermo.IO;
using Thermo.Reports;
using Thermo.Sampling;

namespace Thermo.Cli.Commands;

/// <summary><c>thermo schedule curve</c>: accuracy against uniform G, predicted by the pilot and measured on the same examples, with the large-G law.</summary>
internal static class ScheduleCurveCommand
{
    /// <summary>Builds the subcommand.</summary>
    public static Command Create(ScheduleOptions options)
    {
        var examples = options.Examples(1000);
        var uniform = new Option<string>("--uniform") { Description = "uniform G values", DefaultValueFactory = _ => "1,2,4,8,16,32,64,128,256,512,1024" };
        // --samples is G per block everywhere else; this list was once spelt so, and the old spelling still works.
        var uniformOldSpelling = new Option<string?>("--samples") { Description = "old spelling of --uniform", Hidden = true };
        var replicates = new Option<int>("--replicates") { Description = "replicate runs at G = 1 (fewer at larger G: max(1, R/G))", DefaultValueFactory = _ => 8 }.Within(1, 1024);
        var noMeasure = new Option<bool>("--predict-only") { Description = "skip the measurement" };
        var shardOption = new Option<string?>("--shard")
        {
            Description = "run only shard i/N of the examples (whole pilot batches of 16) and write its per-example columns to --out FILE; " +
                          "`thermo merge` combines the shards into the unsharded result, bit for bit",
        };
        var cmd = new Command("curve", """
            Accuracy against uniform G: predicted from the pilot and measured by sampling on the same examples, with the large-G law.

            On a large test set, run it as shards (each its own process, node or Slurm array task) and merge them:
              thermo schedule curve --model models/mnist --examples 10000 --predict-only --shard 0/4 --out c0.json
              ...
              thermo merge c0.json c1.json c2.json c3.json --out curve.json
            or let Slurm do it: thermo slurm submit --run runs/curve --shards 4 -- schedule curve --model models/mnist --examples 10000
            """)
            { options.Model, options.Dataset, options.DataDir, examples, options.Start, uniform, uniformOldSpelling, replicates, noMeasure, shardOption, options.Burn, options.Pool, options.Draws, options.Seed, options.Out, options.Force, options.Json };
        cmd.WithAction(parse =>
        {
            Shard? shard = parse.GetValue(shardOption) is string text ? Shard.Parse(text) : null;
            if (shard is not null && parse.GetValue(options.Out) is null)
                throw new ArgumentException("--shard writes the shard's per-example columns to --out FILE (JSON, combined with `thermo merge`): give --out");
            using var output = shard is null ? options.Claim(parse) : CommandOutput.OptionalFile(parse.GetValue(options.Out), parse.GetValue(options.Force));
            bool json = parse.GetValue(options.Json), predictOnly = parse.GetValue(noMeasure);
            var loaded = options.Load(parse, parse.GetValue(examples));
            var pipeline = loaded.Pipeline;
            int burn = parse.GetValue(options.Burn), reps = parse.GetValue(replicates), width = pipeline.InputWidth(0), n = loaded.Labels.Length;
            var gs = (parse.GetValue(uniformOldSpelling) is string old ? ScheduleOptions.ParseList(old, "--samples") : ScheduleOptions.ParseList(parse.GetValue(uniform)!, "--uniform")).Distinct().Order().ToArray();
            var upstream = gs.Select(g => Enumerable.Repeat(g, pipeline.Blocks - 1).ToArray()).ToList();
            var pilotOptions = options.PilotOptions(parse);
            var (lo, hi) = shard is { } s ? CurveShards.Range(s, n, pilotOptions.Batch) : (0, n);
            double? tau = null;
            if (lo > 0)
            {
                // τ_B as the unsharded run estimates it: from a pilot of the whole set's first batch.
                int m = Math.Min(pilotOptions.Batch, n);
                tau = PilotModel.Fit(pipeline, loaded.Inputs[..(m * width)], loaded.Labels[..m], loaded.Start, upstream, pilotOptions).LastBlockTau;
            }
            var inputs = loaded.Inputs[(lo * width)..(hi * width)];
            var labels = loaded.Labels[lo..hi];
            long first = loaded.Start + lo;
            var status = ScheduleOptions.Status(json);
            var pilot = PilotModel.Fit(pipeline, inputs, labels, first, upstream, pilotOptions, ScheduleOptions.Progress(status), tau);
            var measured = new Dictionary<int, ScheduleOutcome>();
            if (!predictOnly)
                foreach (var group in gs.GroupBy(g => CurveShards.ReplicatesAt(g, reps)))
                    foreach (var o in ScheduleMeasurement.Measure(pipeline, inputs, labels, first, group.Select(g => BlockSchedule.Uniform(pipeline.Blocks, g, burn)).ToList(),
                                 group.Key, parse.GetValue(options.Seed), 32, ScheduleOptions.Progress(status)))
                        measured[o.Schedule.Samples[0]] = o;
            status?.End();
            var settings = new CurveShards.Settings(loaded.ModelName, loaded.Dataset, pipeline.Blocks, gs, burn, pilotOptions.PoolSamples, pilotOptions.Draws,
                parse.GetValue(options.Seed), reps, predictOnly, pilot.PoolChains);
            var costs = gs.Select(g => BlockSchedule.Uniform(pipeline.Blocks, g, burn).Cost(pipeline.FreeSpins)).ToArray();
            var perExample = gs.Select(g => pilot.PredictPerExampleWithVariance(BlockSchedule.Uniform(pipeline.Blocks, g, burn))).ToArray();
            var columns = new CurveShards.Columns(perExample.Select(p => p.Mean).ToArray(), perExample.Select(p => p.Variance).ToArray(),
                predictOnly ? null : gs.Select(g => measured[g].CorrectFraction).ToArray());
            var points = CurveShards.Points(settings, costs, columns);
            var (law, free) = CurveShards.Laws(points);
            if (json)
                Console.WriteLine(CurveShards.Summary(loaded.ModelName, labels.Length, pilot.LastBlockTau, pilot.PilotSpinUpdates, points).ToFiniteJson());
            else
            {
                string range = shard is null ? "" : $" [{first}, {loaded.Start + hi}), shard {shard}";
                Console.WriteLine($"{loaded.ModelName} on {labels.Length} {loaded.Dataset} test examples (from {first}){range}; pilot {pilot.PilotSpinUpdates / (double)labels.Length:N0} spin updates per example, τ_B = {pilot.LastBlockTau:F3}");
                bool measuredAny = points.Any(x => !double.IsNaN(x.Measured));
                Console.WriteLine(measuredAny ? "     G   predicted          measured           pred − meas" : "     G   predicted");
                foreach (var x in points)
                    Console.WriteLine(double.IsNaN(x.Measured)
                        ? $"{x.Schedule.Samples[0],6}   {100 * x.Predicted,6:F2} ± {100 * x.PredictedError:F2}{(measuredAny ? "     not measured" : "")}"
                        : $"{x.Schedule.Samples[0],6}   {100 * x.Predicted,6:F2} ± {100 * x.PredictedError:F2}     {100 * x.Measured,6:F2} ± {100 * x.MeasuredError:F2}     {100 * x.Difference:+0.00;-0.00}");
                if (law is not null) Console.WriteLine($"fit G ≥ 8: acc(∞) − K/G: acc(∞) = {100 * law.Asymptote:F2}%, K = {law.K:G3}, C = K/τ = {law.C(pilot.LastBlockTau):G3} (rms {100 * law.Rms:F2} points)");
                if (free is not null) Console.WriteLine($"fit G ≥ 8: acc(∞) − K·G^−γ: γ = {free.Gamma:F2}, acc(∞) = {100 * free.Asymptote:F2}% (rms {100 * free.Rms:F2} points)");
            }
            if (shard is not null)
            {
                output!.PublishText(parse.GetValue(options.Out)!, CurveShards.ToJson(settings, shard.Value.ToString(), (int)first, pilot.LastBlockTau, pilot.PilotSpinUpdates, costs, columns).ToFiniteJson());
                return 0;
            }
            if (output is not null)
            {
                var report = RunReport.Start($"Accuracy versus samples: {loaded.ModelName}", ReportKind.Schedule, parse.GetValue(options.Seed));
                report.Result("examples", loaded.Labels.Length).Result("tau_last_block", pilot.LastBlockTau);
                InferenceReport.AddAccuracyCurve(report, "Accuracy versus samples per block", points, law, pilot.LastBlockTau);
                report.Write(output.Path);
                output.Commit();
            }
            return 0;
        });
        return cmd;
    }
}
