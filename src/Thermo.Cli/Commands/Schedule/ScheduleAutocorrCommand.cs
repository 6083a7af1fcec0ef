using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Thermo.Analysis;
using Thermo.Blocks;
using Thermo.Data;
using Thermo.IO;
using Thermo.Reports;
using Thermo.Training;

namespace Thermo.Cli.Commands;

/// <summary><c>thermo schedule autocorr</c>: autocorrelation times of every block at its real inputs, the β/δ scan against the Dobrushin bound, and the variance check.</summary>
internal static class ScheduleAutocorrCommand
{
    /// <summary>Builds the subcommand.</summary>
    public static Command Create(ScheduleOptions options)
    {
        var examples = options.Examples(8);
        var chains = new Option<int>("--chains") { Description = "chains per input for the traces", DefaultValueFactory = _ => 4 }.Within(1, 1024);
        var sweeps = new Option<int>("--sweeps") { Description = "recorded sweeps per chain", DefaultValueFactory = _ => 256 }.Within(2, ScheduleOptions.MaxSweeps);
        var reference = new Option<int>("--reference") { Description = "G of the sign-averages that feed blocks 1…", DefaultValueFactory = _ => 64 }.Within(1, ScheduleOptions.MaxSamples);
        var betas = new Option<string>("--betas") { Description = "β values of the scan (empty: no scan)", DefaultValueFactory = _ => "0.5,1,1.5,2" };
        var deltas = new Option<string>("--deltas") { Description = "δ values of the scan", DefaultValueFactory = _ => "0.25,0.5,1" };
        var checkChains = new Option<int>("--check-chains") { Description = "chains for the Var(time average) check (0: skip)", DefaultValueFactory = _ => 64 }.Within(0, 4096);
        var cmd = new Command("autocorr", "Autocorrelation times of every block's outputs at its real inputs, their dependence on β and δ against the Dobrushin bound, and the check Var(mean of G) ≈ σ²τ/G.")
            { options.Model, options.Dataset, options.DataDir, examples, options.Start, chains, sweeps, reference, betas, deltas, checkChains, options.Burn, options.Seed, options.Out, options.Force, options.Json };
        cmd.WithAction(parse =>
        {
            // The scan's values are checked before anything is sampled; β and δ above 1000 freeze every chain.
            string betaText = parse.GetValue(betas)!;
            double[] betaList = betaText.Length == 0 ? [] : ScheduleOptions.ParseDoubles(betaText, "--betas", 1000), deltaList = ScheduleOptions.ParseDoubles(parse.GetValue(deltas)!, "--deltas", 1000);
            using var output = options.Claim(parse);
            bool json = parse.GetValue(options.Json);
            var loaded = options.Load(parse, parse.GetValue(examples));
            var pipeline = loaded.Pipeline;
            int count = loaded.Labels.Length, burn = parse.GetValue(options.Burn), chainCount = parse.GetValue(chains), sweepCount = parse.GetValue(sweeps);
            ulong seed = parse.GetValue(options.Seed);
            var blockInputs = MixingSurvey.BlockInputs(pipeline, loaded.Inputs, count, loaded.Start, parse.GetValue(reference), burn, seed);
            var taus = MixingSurvey.BlockTaus(pipeline, blockInputs, count, loaded.Start, chainCount, burn, sweepCount, seed + 1);
            var scan = betaList.Length == 0 ? [] : MixingSurvey.Scan(pipeline, blockInputs, Math.Min(count, 4), loaded.Start, betaList, deltaList,
                chainCount, burn, sweepCount, seed + 2, json ? null : m => Console.Error.WriteLine(m));
            var relax = Enumerable.Range(0, pipeline.Blocks).Select(b => MixingSurvey.Relaxation(pipeline.Sampler(b),
                MixingSurvey.FirstInputs(pipeline, blockInputs, b, Math.Min(count, 4), loaded.Start), BlockPipeline.OutputLayer, 32, 48, 16, seed + 4)).ToArray();
            var checks = new List<(int, TimeAverageCheck)>();
            if (parse.GetValue(checkChains) is int cc and > 0)
                for (int b = 0; b < pipeline.Blocks; b++)
                    checks.Add((b, MixingSurvey.CheckTimeAverages(pipeline.Sampler(b), MixingSurvey.FirstInputs(pipeline, blockInputs, b, Math.Min(count, 2), loaded.Start),
                        BlockPipeline.OutputLayer, cc, burn, 64, seed + 3)));
            if (json)
                Console.WriteLine(new JsonObject
                {
                    ["model"] = loaded.ModelName,
                    ["blocks"] = new JsonArray(taus.Select((tau, b) => (JsonNode)new JsonObject
                    {
                        ["block"] = b, ["tau"] = tau.Pooled.Tau, ["tau_se"] = tau.Pooled.TauStandardError, ["window"] = tau.Pooled.Window,
                        ["spin_tau_median"] = tau.SpinTauQuantile(0.5), ["spin_tau_max"] = tau.SpinTauQuantile(1),
                        ["class_tau"] = tau.Groups.Length == 0 ? null : tau.Groups.Average(g => g.Tau),
                        ["alpha"] = DobrushinBound.Alpha(pipeline.Programs[b]), ["lambda"] = DobrushinBound.SweepContraction(pipeline.Programs[b]),
                    }).ToArray()),
                    ["scan"] = new JsonArray(scan.Select(r => (JsonNode)new JsonObject { ["block"] = r.Block, ["beta"] = r.Beta, ["delta"] = r.Delta, ["alpha"] = r.Alpha, ["lambda"] = r.Lambda, ["tau"] = r.Output.Pooled.Tau }).ToArray()),
                    ["checks"] = new JsonArray(checks.Select(t => (JsonNode)new JsonObject { ["block"] = t.Item1, ["ratio"] = t.Item2.Ratio, ["relative_error"] = t.Item2.RelativeError }).ToArray()),
                    ["relaxation"] = new JsonArray(relax.Select(r => (JsonNode)new JsonArray(r.Take(8).Select(v => (JsonNode)v).ToArray())).ToArray()),
                }.ToFiniteJson());
            else
            {
                for (int b = 0; b < pipeline.Blocks; b++)
                {
                    var tau = taus[b];
                    Console.WriteLine($"block {b}: τ_int {tau.Pooled.Tau:F3} ± {tau.Pooled.TauStandardError:F3} (M = {tau.Pooled.Window}); spins: median {tau.SpinTauQuantile(0.5):F2}, 90% {tau.SpinTauQuantile(0.9):F2}, max {tau.SpinTauQuantile(1):F2}"
                        + (tau.Groups.Length > 0 ? $"; class sums {tau.Groups.Average(g => g.Tau):F3}" : "") + $"; α = {DobrushinBound.Alpha(pipeline.Programs[b]):F2}, λ = {DobrushinBound.SweepContraction(pipeline.Programs[b]):F2}");
                }
                foreach (var (b, k) in checks) Console.WriteLine($"block {b}: Var(mean of {k.Samples}) / (σ²τ/G) = {k.Ratio:F3} ± {k.RelativeError:F3} over {k.Spins} spins, {k.Chains} chains");
                for (int b = 0; b < pipeline.Blocks; b++) Console.WriteLine($"block {b}: relaxation overlap R(t) after sweeps 1…8: {string.Join(" ", relax[b].Take(8).Select(v => v.ToString("F3", CultureInfo.InvariantCulture)))}");
            }
            if (output is not null)
            {
                var report = RunReport.Start($"Autocorrelation: {loaded.ModelName}", ReportKind.Schedule, seed);
                InferenceReport.AddAutocorrelation(report, taus, scan, checks, relax);
                report.Write(output.Path);
                output.Commit();
            }
            return 0;
        });
        return cmd;
    }
}
