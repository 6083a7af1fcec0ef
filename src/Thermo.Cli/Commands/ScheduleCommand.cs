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

/// <summary>
/// <c>thermo schedule</c>: choose samples per block for a target accuracy (or budget) at least cost, from a pilot run;
/// subcommands measure what the choice rests on: <c>curve</c> (predicted against measured accuracy), <c>autocorr</c>
/// (autocorrelation times, Dobrushin bound), <c>compare</c> (uniform, optimal and adaptive sampling at equal accuracy)
/// and <c>ledger</c> (spin updates, glue operations and energy per inference).
/// </summary>
public static class ScheduleCommand
{
    sealed record Loaded(ModelSpec Spec, IsingBlockNet Net, BlockPipeline Pipeline, sbyte[] Inputs, int[] Labels, int Start, string Dataset);

    sealed class Common
    {
        public readonly Option<string> Model = new("--model") { Description = "checkpoint of a thermodynamic (ising-blocks) model", Required = true };
        public readonly Option<string?> Dataset = new("--dataset") { Description = "dataset name or path (default: the one the model was trained on)" };
        public readonly Option<string?> DataDir = CommonOptions.DataDir();
        public readonly Option<int> Start = new Option<int>("--start") { Description = "first test example used", DefaultValueFactory = _ => 0 }.Within(0, int.MaxValue);
        public readonly Option<int> Burn = new Option<int>("--burn-in") { Description = "burn-in sweeps of every block in the pilot and the uniform baselines", DefaultValueFactory = _ => 4 }.Within(0, MaxSweeps);
        public readonly Option<int> Pool = new Option<int>("--pilot-samples") { Description = "first-block samples per pilot chain (L₀)", DefaultValueFactory = _ => 64 }.Within(1, MaxSamples);
        public readonly Option<int> Draws = new Option<int>("--draws") { Description = "pilot draws of the upstream sign-averages per example", DefaultValueFactory = _ => 8 }.Within(1, 1024);
        public readonly Option<ulong> Seed = new Option<ulong>("--seed") { Description = "measurement seed (the pilot uses its own)", DefaultValueFactory = _ => 1 }.Within(0UL, ulong.MaxValue);
        public readonly Option<string?> Out = new("--out") { Description = "write a report (report.json, .md, .html, figures) into this directory" };
        public readonly Option<bool> Force = CommonOptions.Force();
        public readonly Option<bool> Json = CommonOptions.Json();

        /// <summary>The report directory of --out, claimed before the measurement so that a refusal costs nothing.</summary>
        public CommandOutput? Claim(ParseResult parse) => parse.GetValue(Out) is string dir ? CommandOutput.Directory(dir, parse.GetValue(Force)) : null;

        public Option<int> Examples(int fallback) => new Option<int>("--examples") { Description = $"test examples used (default {fallback})", DefaultValueFactory = _ => fallback }.Within(1, int.MaxValue);

        public Loaded Load(ParseResult parse, int examples)
        {
            var (spec, model, meta) = TrainingRun.Load(parse.GetValue(Model)!);
            if (model is not IsingBlockNet net) throw new ArgumentException($"'{parse.GetValue(Model)}' holds a {spec.Family} model; schedules are for thermodynamic (ising-blocks) models");
            string ds = parse.GetValue(Dataset) ?? meta.Provenance.DatasetChecksums.Keys.Select(k => k.Split('/')[0]).FirstOrDefault()
                ?? throw new ArgumentException("the checkpoint does not name its dataset: pass --dataset");
            var data = DatasetCatalog.Load(ds, "test", new DataFetcher(parse.GetValue(DataDir)));
            DatasetCompatibility.Require(data, spec.Name, spec.Input, spec.Classes);
            int start = parse.GetValue(Start);
            if (start < 0 || start >= data.Count) throw new ArgumentException($"--start {start} is outside the {data.Count} test examples");
            if (examples < 1) throw new ArgumentException($"--examples must be ≥ 1, got {examples}");
            int n = Math.Min(examples, data.Count - start);
            var pipeline = new BlockPipeline(net);
            var x = pipeline.InputSpins(data.Pixels.AsSpan(start * data.ImageSize, n * data.ImageSize));
            return new Loaded(spec, net, pipeline, x, data.Labels.AsSpan(start, n).ToArray(), start, ds);
        }

        public PilotOptions PilotOptions(ParseResult parse) => new()
        {
            PoolSamples = parse.GetValue(Pool), Draws = parse.GetValue(Draws), BurnIn = parse.GetValue(Burn),
            Seed = Randomness.Philox.Stream(parse.GetValue(Seed), 0x9170),
        };
    }

    /// <summary>
    /// Largest G (samples per block) and burn-in these commands take: the pilot and the measurements store per-sample
    /// prefix sums, and the optimiser lists every burn-in up to the given one.
    /// </summary>
    const int MaxSamples = 65_536, MaxSweeps = 65_536;

    static Action<string>? Progress(bool quiet) => quiet ? null : m => Console.Error.Write($"\r{m}        ");

    static int[] ParseList(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var v = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out v[i]) || v[i] < 1 || v[i] > MaxSamples)
                throw new ArgumentException($"{option}: '{parts[i]}' is not an integer from 1 to {MaxSamples}");
        if (v.Length == 0) throw new ArgumentException($"{option}: give at least one value");
        return v;
    }

    /// <summary>Comma-separated numbers in (0, <paramref name="max"/>]; <paramref name="max"/> is the edge of sense for the quantity (β, δ, ε).</summary>
    static double[] ParseDoubles(string text, string option, double max) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s =>
            double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d > 0 && d <= max ? d
                : throw new ArgumentException($"{option}: '{s}' is not a number > 0 and ≤ {max.ToString(CultureInfo.InvariantCulture)}")).ToArray();

    static IEnumerable<int[]> Product(int[] grid, int blocks)
    {
        IEnumerable<int[]> acc = [[]];
        for (int b = 0; b < blocks; b++) acc = acc.SelectMany(prefix => grid.Select(g => (int[])[.. prefix, g]));
        return acc;
    }

    /// <summary>Builds the command group.</summary>
    public static Command Create()
    {
        var c = new Common();
        var examples = c.Examples(500);
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
            """) { c.Model, target, budget, c.Dataset, c.DataDir, examples, c.Start, grid, c.Burn, c.Pool, c.Draws, c.Seed, c.Out, c.Force, c.Json };
        cmd.WithAction(parse => Optimise(parse, c, parse.GetValue(examples), parse.GetValue(target), parse.GetValue(budget), ParseList(parse.GetValue(grid)!, "--grid")));
        cmd.Subcommands.Add(CurveCommand(c));
        cmd.Subcommands.Add(AutocorrCommand(c));
        cmd.Subcommands.Add(CompareCommand(c));
        cmd.Subcommands.Add(LedgerCommand(c));
        return cmd;
    }

    static double Fraction(double v) => v > 1 ? v / 100 : v;

    static int Optimise(ParseResult parse, Common c, int examples, double? target, double? budget, int[] grid)
    {
        if (target is null && budget is null) throw new ArgumentException("give --target-accuracy, --budget or both");
        using var output = c.Claim(parse);
        bool json = parse.GetValue(c.Json);
        var d = c.Load(parse, examples);
        var p = d.Pipeline;
        int last = p.Blocks - 1;
        var pilot = PilotModel.Fit(p, d.Inputs, d.Labels, d.Start, Product(grid, last), c.PilotOptions(parse), Progress(json));
        if (!json) Console.Error.WriteLine();
        int burn = parse.GetValue(c.Burn);
        var grids = Enumerable.Range(0, p.Blocks).Select(b => b == last ? ScheduleOptimizer.DefaultGrid(1024) : grid).ToList();
        var burnIns = Enumerable.Range(0, p.Blocks).Select(b => b == last ? Enumerable.Range(0, burn + 1).ToArray() : new[] { burn }).ToList();
        var optimizer = new ScheduleOptimizer(pilot, p.FreeSpins, grids, burnIns);
        BlockSchedule? best = null;
        string goal;
        if (target is double t)
        {
            best = optimizer.MinimiseCost(Fraction(t));
            goal = $"target accuracy {100 * Fraction(t):F2}%";
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
            var u = BlockSchedule.Uniform(p.Blocks, g, burn);
            double a = pilot.PredictAccuracy(u);
            bool ok = target is double tt ? a >= Fraction(tt) : u.Cost(p.FreeSpins) <= budget!.Value;
            if (!ok) continue;
            if (uniform is null || (target is not null ? u.Cost(p.FreeSpins) < uniform.Cost(p.FreeSpins) : a > pilot.PredictAccuracy(uniform))) uniform = u;
        }
        var ledger = CostLedger.For(p, best);
        if (json)
        {
            var o = new JsonObject
            {
                ["model"] = d.Spec.Name, ["examples"] = d.Labels.Length, ["goal"] = goal,
                ["samples"] = new JsonArray(best.Samples.Select(v => (JsonNode)v).ToArray()),
                ["burn_in"] = new JsonArray(best.BurnIn.Select(v => (JsonNode)v).ToArray()),
                ["predicted_accuracy"] = acc, ["predicted_standard_error"] = se,
                ["spin_updates"] = best.Cost(p.FreeSpins),
                ["spin_updates_per_block"] = new JsonArray(ledger.SpinUpdates.Select(v => (JsonNode)v).ToArray()),
                ["uniform"] = uniform is null ? null : new JsonObject { ["samples"] = uniform.Samples[0], ["spin_updates"] = uniform.Cost(p.FreeSpins), ["predicted_accuracy"] = pilot.PredictAccuracy(uniform) },
                ["pilot_spin_updates"] = pilot.PilotSpinUpdates, ["tau_last_block"] = pilot.LastBlockTau,
            };
            Console.WriteLine(o.ToFiniteJson());
        }
        else
        {
            Console.WriteLine($"{d.Spec.Name}: {goal}, predicted on {d.Labels.Length} {d.Dataset} test examples");
            Console.WriteLine($"  schedule     G = {string.Join(",", best.Samples)}, burn-in {string.Join(",", best.BurnIn)}  ({best})");
            Console.WriteLine($"  accuracy     {100 * acc:F2}% ± {100 * se:F2} (predicted)");
            Console.WriteLine($"  cost         {best.Cost(p.FreeSpins):N0} spin updates per inference (blocks: {string.Join(" + ", ledger.SpinUpdates.Select(v => v.ToString("N0", CultureInfo.InvariantCulture)))})");
            if (uniform is not null)
                Console.WriteLine($"  uniform      G = {uniform.Samples[0]} in every block: {uniform.Cost(p.FreeSpins):N0} spin updates, {100 * pilot.PredictAccuracy(uniform):F2}% predicted ({uniform.Cost(p.FreeSpins) / best.Cost(p.FreeSpins):F2}× the cost)");
            foreach (var prof in EnergyProfile.IsingDefaults)
                Console.WriteLine($"  energy       {prof.Name}: {ledger.Energy(prof, EnergyProfile.Digital45nm()).Total:E2} J per inference");
        }
        if (output is not null)
        {
            var report = RunReport.Start($"Schedule: {d.Spec.Name} ({goal})", ReportKind.Schedule, parse.GetValue(c.Seed));
            report.Result("predicted_accuracy", acc).Result("spin_updates", best.Cost(p.FreeSpins)).Detail("schedule", best.ToString());
            var rows = new List<(string, CostLedger)> { ($"optimal {best}", ledger) };
            if (uniform is not null) rows.Add(($"uniform {uniform}", CostLedger.For(p, uniform)));
            InferenceReport.AddLedger(report, rows);
            report.Write(output.Path);
            output.Commit();
        }
        return 0;
    }

    static Command CurveCommand(Common c)
    {
        var examples = c.Examples(1000);
        var samples = new Option<string>("--samples") { Description = "uniform G values", DefaultValueFactory = _ => "1,2,4,8,16,32,64,128,256,512,1024" };
        var replicates = new Option<int>("--replicates") { Description = "replicate runs at G = 1 (fewer at larger G: max(1, R/G))", DefaultValueFactory = _ => 8 }.Within(1, 1024);
        var noMeasure = new Option<bool>("--predict-only") { Description = "skip the measurement" };
        var cmd = new Command("curve", "Accuracy against uniform G: predicted from the pilot and measured by sampling on the same examples, with the large-G law.")
            { c.Model, c.Dataset, c.DataDir, examples, c.Start, samples, replicates, noMeasure, c.Burn, c.Pool, c.Draws, c.Seed, c.Out, c.Force, c.Json };
        cmd.WithAction(parse =>
        {
            using var output = c.Claim(parse);
            bool json = parse.GetValue(c.Json);
            var d = c.Load(parse, parse.GetValue(examples));
            var p = d.Pipeline;
            int burn = parse.GetValue(c.Burn), reps = parse.GetValue(replicates);
            var gs = ParseList(parse.GetValue(samples)!, "--samples").Distinct().Order().ToArray();
            var pilot = PilotModel.Fit(p, d.Inputs, d.Labels, d.Start, gs.Select(g => Enumerable.Repeat(g, p.Blocks - 1).ToArray()), c.PilotOptions(parse), Progress(json));
            var measured = new Dictionary<int, ScheduleOutcome>();
            if (!parse.GetValue(noMeasure))
                foreach (var group in gs.GroupBy(g => Math.Max(1, reps / g)))
                    foreach (var o in ScheduleMeasurement.Measure(p, d.Inputs, d.Labels, d.Start, group.Select(g => BlockSchedule.Uniform(p.Blocks, g, burn)).ToList(),
                                 group.Key, parse.GetValue(c.Seed), 32, Progress(json)))
                        measured[o.Schedule.Samples[0]] = o;
            if (!json) Console.Error.WriteLine();
            var points = gs.Select(g =>
            {
                var s = BlockSchedule.Uniform(p.Blocks, g, burn);
                var (a, e) = pilot.PredictWithError(s);
                var m = measured.GetValueOrDefault(g);
                return new CurvePoint(s, s.Cost(p.FreeSpins), a, e, m?.Accuracy ?? double.NaN, m?.StandardError ?? double.NaN);
            }).ToList();
            var fitPts = points.Where(x => !double.IsNaN(x.Measured) && x.Schedule.Samples[0] >= 8).ToList();
            AccuracyLaw? law = fitPts.Count >= 3
                ? AccuracyLaw.Fit(fitPts.Select(x => (double)x.Schedule.Samples[0]).ToList(), fitPts.Select(x => x.Measured).ToList(), null, 1, 8) : null;
            AccuracyLaw? free = fitPts.Count >= 4
                ? AccuracyLaw.FitExponent(fitPts.Select(x => (double)x.Schedule.Samples[0]).ToList(), fitPts.Select(x => x.Measured).ToList(), null, 8) : null;
            if (json)
                Console.WriteLine(new JsonObject
                {
                    ["model"] = d.Spec.Name, ["examples"] = d.Labels.Length, ["tau_last_block"] = pilot.LastBlockTau, ["pilot_spin_updates"] = pilot.PilotSpinUpdates,
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
                Console.WriteLine($"{d.Spec.Name} on {d.Labels.Length} {d.Dataset} test examples (from {d.Start}); pilot {pilot.PilotSpinUpdates / (double)d.Labels.Length:N0} spin updates per example, τ_B = {pilot.LastBlockTau:F3}");
                Console.WriteLine("     G   predicted          measured           pred − meas");
                foreach (var x in points)
                    Console.WriteLine($"{x.Schedule.Samples[0],6}   {100 * x.Predicted,6:F2} ± {100 * x.PredictedError:F2}     {100 * x.Measured,6:F2} ± {100 * x.MeasuredError:F2}     {100 * x.Difference:+0.00;-0.00}");
                if (law is not null) Console.WriteLine($"fit G ≥ 8: acc(∞) − K/G: acc(∞) = {100 * law.Asymptote:F2}%, K = {law.K:G3}, C = K/τ = {law.C(pilot.LastBlockTau):G3} (rms {100 * law.Rms:F2} points)");
                if (free is not null) Console.WriteLine($"fit G ≥ 8: acc(∞) − K·G^−γ: γ = {free.Gamma:F2}, acc(∞) = {100 * free.Asymptote:F2}% (rms {100 * free.Rms:F2} points)");
            }
            if (output is not null)
            {
                var report = RunReport.Start($"Accuracy versus samples: {d.Spec.Name}", ReportKind.Schedule, parse.GetValue(c.Seed));
                report.Result("examples", d.Labels.Length).Result("tau_last_block", pilot.LastBlockTau);
                InferenceReport.AddAccuracyCurve(report, "Accuracy versus samples per block", points, law, pilot.LastBlockTau);
                report.Write(output.Path);
                output.Commit();
            }
            return 0;
        });
        return cmd;
    }

    static Command AutocorrCommand(Common c)
    {
        var examples = c.Examples(8);
        var chains = new Option<int>("--chains") { Description = "chains per input for the traces", DefaultValueFactory = _ => 4 }.Within(1, 1024);
        var sweeps = new Option<int>("--sweeps") { Description = "recorded sweeps per chain", DefaultValueFactory = _ => 256 }.Within(2, MaxSweeps);
        var reference = new Option<int>("--reference") { Description = "G of the sign-averages that feed blocks 1…", DefaultValueFactory = _ => 64 }.Within(1, MaxSamples);
        var betas = new Option<string>("--betas") { Description = "β values of the scan (empty: no scan)", DefaultValueFactory = _ => "0.5,1,1.5,2" };
        var deltas = new Option<string>("--deltas") { Description = "δ values of the scan", DefaultValueFactory = _ => "0.25,0.5,1" };
        var checkChains = new Option<int>("--check-chains") { Description = "chains for the Var(time average) check (0: skip)", DefaultValueFactory = _ => 64 }.Within(0, 4096);
        var cmd = new Command("autocorr", "Autocorrelation times of every block's outputs at its real inputs, their dependence on β and δ against the Dobrushin bound, and the check Var(mean of G) ≈ σ²τ/G.")
            { c.Model, c.Dataset, c.DataDir, examples, c.Start, chains, sweeps, reference, betas, deltas, checkChains, c.Burn, c.Seed, c.Out, c.Force, c.Json };
        cmd.WithAction(parse =>
        {
            // The scan's values are checked before anything is sampled; β and δ above 1000 freeze every chain.
            string betaText = parse.GetValue(betas)!;
            double[] betaList = betaText.Length == 0 ? [] : ParseDoubles(betaText, "--betas", 1000), deltaList = ParseDoubles(parse.GetValue(deltas)!, "--deltas", 1000);
            using var output = c.Claim(parse);
            bool json = parse.GetValue(c.Json);
            var d = c.Load(parse, parse.GetValue(examples));
            var p = d.Pipeline;
            int n = d.Labels.Length, burn = parse.GetValue(c.Burn), ch = parse.GetValue(chains), sw = parse.GetValue(sweeps);
            ulong seed = parse.GetValue(c.Seed);
            var x = MixingSurvey.BlockInputs(p, d.Inputs, n, d.Start, parse.GetValue(reference), burn, seed);
            var taus = MixingSurvey.BlockTaus(p, x, n, d.Start, ch, burn, sw, seed + 1);
            var scan = betaList.Length == 0 ? [] : MixingSurvey.Scan(p, x, Math.Min(n, 4), d.Start, betaList, deltaList,
                ch, burn, sw, seed + 2, json ? null : m => Console.Error.WriteLine(m));
            var relax = Enumerable.Range(0, p.Blocks).Select(b => MixingSurvey.Relaxation(p.Sampler(b),
                MixingSurvey.FirstInputs(p, x, b, Math.Min(n, 4), d.Start), BlockPipeline.OutputLayer, 32, 48, 16, seed + 4)).ToArray();
            var checks = new List<(int, TimeAverageCheck)>();
            if (parse.GetValue(checkChains) is int cc and > 0)
                for (int b = 0; b < p.Blocks; b++)
                    checks.Add((b, MixingSurvey.CheckTimeAverages(p.Sampler(b), MixingSurvey.FirstInputs(p, x, b, Math.Min(n, 2), d.Start),
                        BlockPipeline.OutputLayer, cc, burn, 64, seed + 3)));
            if (json)
                Console.WriteLine(new JsonObject
                {
                    ["model"] = d.Spec.Name,
                    ["blocks"] = new JsonArray(taus.Select((a, b) => (JsonNode)new JsonObject
                    {
                        ["block"] = b, ["tau"] = a.Pooled.Tau, ["tau_se"] = a.Pooled.TauStandardError, ["window"] = a.Pooled.Window,
                        ["spin_tau_median"] = a.SpinTauQuantile(0.5), ["spin_tau_max"] = a.SpinTauQuantile(1),
                        ["class_tau"] = a.Groups.Length == 0 ? null : a.Groups.Average(g => g.Tau),
                        ["alpha"] = DobrushinBound.Alpha(p.Programs[b]), ["lambda"] = DobrushinBound.SweepContraction(p.Programs[b]),
                    }).ToArray()),
                    ["scan"] = new JsonArray(scan.Select(r => (JsonNode)new JsonObject { ["block"] = r.Block, ["beta"] = r.Beta, ["delta"] = r.Delta, ["alpha"] = r.Alpha, ["lambda"] = r.Lambda, ["tau"] = r.Output.Pooled.Tau }).ToArray()),
                    ["checks"] = new JsonArray(checks.Select(t => (JsonNode)new JsonObject { ["block"] = t.Item1, ["ratio"] = t.Item2.Ratio, ["relative_error"] = t.Item2.RelativeError }).ToArray()),
                    ["relaxation"] = new JsonArray(relax.Select(r => (JsonNode)new JsonArray(r.Take(8).Select(v => (JsonNode)v).ToArray())).ToArray()),
                }.ToFiniteJson());
            else
            {
                for (int b = 0; b < p.Blocks; b++)
                {
                    var a = taus[b];
                    Console.WriteLine($"block {b}: τ_int {a.Pooled.Tau:F3} ± {a.Pooled.TauStandardError:F3} (M = {a.Pooled.Window}); spins: median {a.SpinTauQuantile(0.5):F2}, 90% {a.SpinTauQuantile(0.9):F2}, max {a.SpinTauQuantile(1):F2}"
                        + (a.Groups.Length > 0 ? $"; class sums {a.Groups.Average(g => g.Tau):F3}" : "") + $"; α = {DobrushinBound.Alpha(p.Programs[b]):F2}, λ = {DobrushinBound.SweepContraction(p.Programs[b]):F2}");
                }
                foreach (var (b, k) in checks) Console.WriteLine($"block {b}: Var(mean of {k.Samples}) / (σ²τ/G) = {k.Ratio:F3} ± {k.RelativeError:F3} over {k.Spins} spins, {k.Chains} chains");
                for (int b = 0; b < p.Blocks; b++) Console.WriteLine($"block {b}: relaxation overlap R(t) after sweeps 1…8: {string.Join(" ", relax[b].Take(8).Select(v => v.ToString("F3", CultureInfo.InvariantCulture)))}");
            }
            if (output is not null)
            {
                var report = RunReport.Start($"Autocorrelation: {d.Spec.Name}", ReportKind.Schedule, seed);
                InferenceReport.AddAutocorrelation(report, taus, scan, checks, relax);
                report.Write(output.Path);
                output.Commit();
            }
            return 0;
        });
        return cmd;
    }

    static Command CompareCommand(Common c)
    {
        var examples = c.Examples(1000);
        var target = new Option<double?>("--target-accuracy") { Description = "common accuracy A* (default: --below under the plateau of the uniform curve)" }.Above(0d, 100d);
        var below = new Option<double>("--below") { Description = "default A* = plateau (mean of the two longest uniform schedules) minus this", DefaultValueFactory = _ => 0.01 }.Within(0d, 1d);
        var uniform = new Option<string>("--uniform") { Description = "uniform G values measured", DefaultValueFactory = _ => "1,3,5,7,9,13,17,25,33,49,65,129,257" };
        var grid = new Option<string>("--grid") { Description = "candidate G of the upstream blocks", DefaultValueFactory = _ => "1,3,5,7,9,13,17,25,33,49,65,129" };
        var eps = new Option<string>("--epsilons") { Description = "error budgets ε of the adaptive test", DefaultValueFactory = _ => "0.3,0.1,0.03,0.01,0.003,0.001" };
        var cmd = new Command("compare", "Uniform, optimal (pilot + optimiser) and adaptive sampling measured on the same examples; spin updates at equal accuracy.")
            { c.Model, c.Dataset, c.DataDir, examples, c.Start, target, below, uniform, grid, eps, c.Burn, c.Pool, c.Draws, c.Seed, c.Out, c.Force, c.Json };
        cmd.WithAction(parse =>
        {
            var g = ParseList(parse.GetValue(grid)!, "--grid");
            var uniformList = ParseList(parse.GetValue(uniform)!, "--uniform");
            // ε is the error probability allowed to the adaptive test.
            var epsilons = ParseDoubles(parse.GetValue(eps)!, "--epsilons", 0.5);
            using var output = c.Claim(parse);
            bool json = parse.GetValue(c.Json);
            var d = c.Load(parse, parse.GetValue(examples));
            var p = d.Pipeline;
            var pilot = PilotModel.Fit(p, d.Inputs, d.Labels, d.Start, Product(g, p.Blocks - 1), c.PilotOptions(parse), Progress(json));
            var options = new ComparisonOptions
            {
                UniformSamples = uniformList, BurnIn = parse.GetValue(c.Burn),
                TargetAccuracy = parse.GetValue(target) is double t ? Fraction(t) : null, BelowPlateau = parse.GetValue(below),
                Epsilons = epsilons, Seed = parse.GetValue(c.Seed),
            };
            var r = ScheduleComparison.Run(p, d.Inputs, d.Labels, d.Start, pilot, g, options, Progress(json));
            if (!json) Console.Error.WriteLine();
            if (json)
                Console.WriteLine(new JsonObject
                {
                    ["model"] = d.Spec.Name, ["examples"] = d.Labels.Length, ["target"] = r.Target,
                    ["cost_at_target"] = new JsonObject(r.CostAtTarget.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)(double.IsFinite(kv.Value) ? kv.Value : null)))),
                    ["saving_optimal_vs_uniform"] = double.IsFinite(r.OptimalSaving) ? r.OptimalSaving : null,
                    ["saving_adaptive_vs_optimal"] = double.IsFinite(r.AdaptiveSaving) ? r.AdaptiveSaving : null,
                    ["points"] = new JsonArray(r.Points.Select(x => (JsonNode)new JsonObject { ["method"] = x.Method, ["label"] = x.Label, ["cost"] = x.Cost, ["accuracy"] = x.Accuracy }).ToArray()),
                }.ToFiniteJson());
            else
            {
                Console.WriteLine($"{d.Spec.Name} on {d.Labels.Length} {d.Dataset} test examples; target A* = {100 * r.Target:F2}%");
                foreach (var x in r.Points) Console.WriteLine($"  {x.Method,-9} {x.Label,-28} {x.Cost,14:N0} spin updates  {100 * x.Accuracy:F2}%" + (double.IsNaN(x.Predicted) ? "" : $"  (predicted {100 * x.Predicted:F2}%)"));
                foreach (var (m, v) in r.CostAtTarget) Console.WriteLine($"  at A*: {m,-9} {v:N0} spin updates");
                Console.WriteLine($"  optimal saves {r.OptimalSaving:F2}× against uniform; adaptive saves {r.AdaptiveSaving:F2}× against optimal");
            }
            if (output is not null)
            {
                var report = RunReport.Start($"Inference cost versus accuracy: {d.Spec.Name}", ReportKind.Schedule, parse.GetValue(c.Seed));
                report.Result("examples", d.Labels.Length).Result("tau_last_block", pilot.LastBlockTau);
                InferenceReport.AddComparison(report, r);
                var best = (string Method) => r.Points.Where(x => x.Method == Method && x.Accuracy >= r.Target).OrderBy(x => x.Cost).FirstOrDefault();
                var rows = new[] { "uniform", "optimal", "adaptive" }.Select(best).Where(x => x is not null).Select(x => ($"{x!.Method} {x.Label}", x.Ledger)).ToList();
                if (rows.Count > 0) InferenceReport.AddLedger(report, rows);
                report.Write(output.Path);
                output.Commit();
            }
            return 0;
        });
        return cmd;
    }

    static Command LedgerCommand(Common c)
    {
        var samples = new Option<string>("--samples") { Description = "G per block: one number or one per block", DefaultValueFactory = _ => "64" };
        var cmd = new Command("ledger", "Spin updates, digital glue operations and energy per inference of a schedule on the documented hardware profiles (no sampling).")
            { c.Model, samples, c.Burn, c.Out, c.Force, c.Json };
        cmd.WithAction(parse =>
        {
            using var output = c.Claim(parse);
            var (spec, model, _) = TrainingRun.Load(parse.GetValue(c.Model)!);
            if (model is not IsingBlockNet net) throw new ArgumentException($"'{parse.GetValue(c.Model)}' holds a {spec.Family} model; the ledger is for thermodynamic (ising-blocks) models");
            var p = new BlockPipeline(net);
            var g = EvalCommand.ParseSamples(parse.GetValue(samples)!, p.Blocks, MaxSamples);
            var s = new BlockSchedule(g, Enumerable.Repeat(parse.GetValue(c.Burn), p.Blocks).ToArray());
            var l = CostLedger.For(p, s);
            var digital = EnergyProfile.Digital45nm();
            if (parse.GetValue(c.Json))
                Console.WriteLine(new JsonObject
                {
                    ["model"] = spec.Name, ["schedule"] = s.ToString(),
                    ["spin_updates"] = new JsonArray(l.SpinUpdates.Select(v => (JsonNode)v).ToArray()), ["digital_ops"] = new JsonArray(l.DigitalOps.Select(v => (JsonNode)v).ToArray()),
                    ["digital_network_macs"] = l.DigitalNetworkMacs, ["ising_fraction"] = l.IsingFraction,
                    ["energy"] = new JsonArray(EnergyProfile.IsingDefaults.Select(pr => (JsonNode)new JsonObject
                    {
                        ["profile"] = pr.Name, ["joules_per_spin_update"] = pr.JoulesPerSpinUpdate, ["joules"] = l.Energy(pr, digital).Total, ["advantage"] = l.Advantage(pr, digital), ["source"] = pr.Source,
                    }).ToArray()),
                    ["digital_network_joules"] = l.DigitalNetworkEnergy(digital),
                }.ToFiniteJson());
            else
            {
                Console.WriteLine($"{spec.Name}, schedule {s}");
                for (int b = 0; b < p.Blocks; b++) Console.WriteLine($"  block {b}: {p.FreeSpins[b]:N0} free spins × {s.Sweeps(b)} sweeps = {l.SpinUpdates[b]:N0} spin updates; {l.DigitalOps[b]:N0} glue ops");
                Console.WriteLine($"  total {l.TotalSpinUpdates:N0} spin updates, {l.TotalDigitalOps:N0} glue ops (Ising share {100 * l.IsingFraction:F2}%); digital forward pass {l.DigitalNetworkMacs:N0} MACs = {l.DigitalNetworkEnergy(digital):E2} J at 45 nm");
                foreach (var pr in EnergyProfile.IsingDefaults)
                    Console.WriteLine($"  {pr.Name,-34} {pr.JoulesPerSpinUpdate:E2} J/update → {l.Energy(pr, digital).Total:E2} J per inference, advantage {l.Advantage(pr, digital):E2}");
            }
            if (output is not null)
            {
                var report = RunReport.Start($"Cost ledger: {spec.Name} ({s})", ReportKind.Schedule);
                InferenceReport.AddLedger(report, [(s.ToString(), l)]);
                report.Write(output.Path);
                output.Commit();
            }
            return 0;
        });
        return cmd;
    }
}
