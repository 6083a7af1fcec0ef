using System.CommandLine;
using System.Text.Json.Nodes;
using Thermo.Analysis;
using Thermo.Blocks;
using Thermo.Data;
using Thermo.IO;
using Thermo.Reports;

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
        var cmd = new Command("curve", "Accuracy against uniform G: predicted from the pilot and measured by sampling on the same examples, with the large-G law.")
            { options.Model, options.Dataset, options.DataDir, examples, options.Start, uniform, uniformOldSpelling, replicates, noMeasure, options.Burn, options.Pool, options.Draws, options.Seed, options.Out, options.Force, options.Json };
        cmd.WithAction(parse =>
        {
            using var output = options.Claim(parse);
            bool json = parse.GetValue(options.Json);
            var loaded = options.Load(parse, parse.GetValue(examples));
            var pipeline = loaded.Pipeline;
            int burn = parse.GetValue(options.Burn), reps = parse.GetValue(replicates);
            var gs = (parse.GetValue(uniformOldSpelling) is string old ? ScheduleOptions.ParseList(old, "--samples") : ScheduleOptions.ParseList(parse.GetValue(uniform)!, "--uniform")).Distinct().Order().ToArray();
            var pilot = PilotModel.Fit(pipeline, loaded.Inputs, loaded.Labels, loaded.Start, gs.Select(g => Enumerable.Repeat(g, pipeline.Blocks - 1).ToArray()), options.PilotOptions(parse), ScheduleOptions.Progress(json));
            var measured = new Dictionary<int, ScheduleOutcome>();
            if (!parse.GetValue(noMeasure))
                foreach (var group in gs.GroupBy(g => Math.Max(1, reps / g)))
                    foreach (var o in ScheduleMeasurement.Measure(pipeline, loaded.Inputs, loaded.Labels, loaded.Start, group.Select(g => BlockSchedule.Uniform(pipeline.Blocks, g, burn)).ToList(),
                                 group.Key, parse.GetValue(options.Seed), 32, ScheduleOptions.Progress(json)))
                        measured[o.Schedule.Samples[0]] = o;
            if (!json) Console.Error.WriteLine();
            var points = gs.Select(g =>
            {
                var schedule = BlockSchedule.Uniform(pipeline.Blocks, g, burn);
                var (a, e) = pilot.PredictWithError(schedule);
                var measurement = measured.GetValueOrDefault(g);
                return new CurvePoint(schedule, schedule.Cost(pipeline.FreeSpins), a, e, measurement?.Accuracy ?? double.NaN, measurement?.StandardError ?? double.NaN);
            }).ToList();
            var fitPts = points.Where(x => !double.IsNaN(x.Measured) && x.Schedule.Samples[0] >= 8).ToList();
            AccuracyLaw? law = fitPts.Count >= 3
                ? AccuracyLaw.Fit(fitPts.Select(x => (double)x.Schedule.Samples[0]).ToList(), fitPts.Select(x => x.Measured).ToList(), null, 1, 8) : null;
            AccuracyLaw? free = fitPts.Count >= 4
                ? AccuracyLaw.FitExponent(fitPts.Select(x => (double)x.Schedule.Samples[0]).ToList(), fitPts.Select(x => x.Measured).ToList(), null, 8) : null;
            if (json)
                Console.WriteLine(new JsonObject
                {
                    ["model"] = loaded.ModelName, ["examples"] = loaded.Labels.Length, ["tau_last_block"] = pilot.LastBlockTau, ["pilot_spin_updates"] = pilot.PilotSpinUpdates,
                    ["points"] = new JsonArray(points.Select(x => (JsonNode)new JsonObject
                    {
                        ["samples"] = x.Schedule.Samples[0], ["spin_updates"] = x.Cost, ["predicted"] = x.Predicted, ["predicted_se"] = x.PredictedError,
                        ["measured"] = double.IsNaN(x.Measured) ? null : x.Measured, ["measured_se"] = double.IsFinite(x.MeasuredError) ? x.MeasuredError : null,
                    }).ToArray()),
                    ["law_inverse_g"] = law is null ? null : new JsonObject { ["asymptote"] = law.Asymptote, ["k"] = law.K, ["c"] = law.C(pilot.LastBlockTau), ["rms"] = law.Rms },
                    ["law_free_exponent"] = free is null ? null : new JsonObject { ["asymptote"] = free.Asymptote, ["k"] = free.K, ["gamma"] = free.Gamma, ["rms"] = free.Rms },
                }.ToFiniteJson());
            else
            {
                Console.WriteLine($"{loaded.ModelName} on {loaded.Labels.Length} {loaded.Dataset} test examples (from {loaded.Start}); pilot {pilot.PilotSpinUpdates / (double)loaded.Labels.Length:N0} spin updates per example, τ_B = {pilot.LastBlockTau:F3}");
                bool measuredAny = points.Any(x => !double.IsNaN(x.Measured));
                Console.WriteLine(measuredAny ? "     G   predicted          measured           pred − meas" : "     G   predicted");
                foreach (var x in points)
                    Console.WriteLine(double.IsNaN(x.Measured)
                        ? $"{x.Schedule.Samples[0],6}   {100 * x.Predicted,6:F2} ± {100 * x.PredictedError:F2}{(measuredAny ? "     not measured" : "")}"
                        : $"{x.Schedule.Samples[0],6}   {100 * x.Predicted,6:F2} ± {100 * x.PredictedError:F2}     {100 * x.Measured,6:F2} ± {100 * x.MeasuredError:F2}     {100 * x.Difference:+0.00;-0.00}");
                if (law is not null) Console.WriteLine($"fit G ≥ 8: acc(∞) − K/G: acc(∞) = {100 * law.Asymptote:F2}%, K = {law.K:G3}, C = K/τ = {law.C(pilot.LastBlockTau):G3} (rms {100 * law.Rms:F2} points)");
                if (free is not null) Console.WriteLine($"fit G ≥ 8: acc(∞) − K·G^−γ: γ = {free.Gamma:F2}, acc(∞) = {100 * free.Asymptote:F2}% (rms {100 * free.Rms:F2} points)");
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
