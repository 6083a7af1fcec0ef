using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Thermo.Blocks;
using Thermo.Data;
using Thermo.IO;
using Thermo.Sampling;
using Thermo.Training;
using Thermo.Evaluation;

namespace Thermo.Cli.Commands;

/// <summary><c>thermo eval</c>: accuracy of a checkpoint by forward pass, mean field, or real Gibbs sampling.</summary>
public static class EvalCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "checkpoint written by `thermo train`, or a compiled network directory (`thermo ising compile --out DIR`; Gibbs only)", Required = true };
        var dataset = new Option<string?>("--dataset") { Description = "dataset name or path (default: the one the model was trained on)" };
        var split = new Option<string>("--split") { Description = "test or train", DefaultValueFactory = _ => "test" };
        var mode = new Option<EvalMode>("--mode") { Description = "forward | meanfield | gibbs (gibbs runs the compiled Ising programs)", DefaultValueFactory = _ => EvalMode.Forward };
        var samples = new Option<string>("--samples") { Description = "samples G per block: one number or one per block (e.g. 64 or 32,32,64)", DefaultValueFactory = _ => "64" };
        var burnIn = new Option<int>("--burn-in") { Description = "sweeps discarded before sampling, per block", DefaultValueFactory = _ => 4 }.Within(0, int.MaxValue);
        var schedule = new Option<string?>("--schedule") { Description = "G and burn-in T per block as G/T (e.g. 64/4,64/4,33/0, what `thermo schedule` chose); instead of --samples, entries without /T take --burn-in" };
        var chains = new Option<int>("--chains") { Description = "independent chains per input (their averages are pooled)", DefaultValueFactory = _ => 1 }.Within(1, MaxChains);
        var seed = new Option<ulong>("--seed") { Description = "sampling seed", DefaultValueFactory = _ => 1 }.Within(0UL, ulong.MaxValue);
        var limit = new Option<int?>("--limit") { Description = "evaluate only the first N examples" }.Within(1, int.MaxValue);
        var shard = new Option<string>("--shard") { Description = "evaluate shard i of N (\"i/N\", 0-based); combine shard outputs with `thermo merge`", DefaultValueFactory = _ => "0/1" };
        var output = new Option<string?>("--out") { Description = "write the per-example result (JSON) here, e.g. for `thermo merge`" };
        var tta = new Option<string>("--tta")
        {
            Description = "test-time augmentation: views of every image whose class scores are summed, comma-separated from "
                + string.Join(", ", TestTimeView.Known.Select(v => v.Name)) + " (flip mirrors; left/right/up/down move the picture one pixel). "
                + "A view may repeat (id,id: a second independent inference of the same image). "
                + "Each view is a full inference, so the cost (spin updates) is multiplied by the number of views",
            DefaultValueFactory = _ => "id",
        };
        var force = new Option<bool>("--force") { Description = SamplingCost.ForceDescription };
        var dataDir = CommonOptions.DataDir();
        var json = CommonOptions.Json();
        var cmd = new Command("eval", """
            Evaluate a checkpoint. For thermodynamic (ising-blocks) models:
              --mode meanfield  the noise-free surrogate the network was trained through
              --mode gibbs      each block compiled to an Ising program and run by block Gibbs sampling with
                                feedback, G samples after burn-in, sign-averaged into the next block
            Randomness is keyed by example index, so shards merged with `thermo merge` equal the unsharded run.

            A compiled network (a directory with network.json and one Ising program per block, for example the
            shipped models/) runs by Gibbs sampling only: it holds the machine's programs, not the surrogate.

            Examples:
              thermo eval --model runs/mnist/model.safetensors --mode gibbs --samples 64
              thermo eval --model runs/mnist/model.safetensors --mode gibbs --schedule 9/4,9/4,33/0
              thermo eval --model runs/mnist/model.safetensors --mode gibbs --shard 0/2 --out s0.json
              thermo eval --model models/mnist --mode gibbs
              thermo eval --model models/fashion-mnist --mode gibbs --tta id,flip      (2 inferences per image)
            """)
        { model, dataset, split, mode, samples, burnIn, schedule, chains, seed, tta, limit, shard, output, force, dataDir, json };
        cmd.WithAction(parse =>
        {
            var views = TestTimeView.Parse(parse.GetValue(tta)!); // a bad --tta fails before any data is read
            using var outFile = CommandOutput.OptionalFile(parse.GetValue(output), parse.GetValue(force));
            if (CompiledBlockNetFile.IsCompiledNetwork(parse.GetValue(model)!)) return EvaluateCompiled(parse, outFile, views);
            var (spec, network, meta) = TrainingRun.Load(parse.GetValue(model)!);
            string datasetName = parse.GetValue(dataset) ?? TrainingRun.DatasetOf(meta) ?? throw new ArgumentException("the checkpoint does not name its dataset: pass --dataset");
            var (data, shardRange, start, end) = Examples(parse, datasetName, spec.Name, spec.Input, spec.Classes);
            var evalMode = parse.GetValue(mode);
            var normalization = spec.Normalization ?? Normalization.UnitRange;
            if (evalMode != EvalMode.Gibbs)
            {
                var forward = Evaluator.Run(network, data, normalization, evalMode, null, start, end - start, progress: Progress(parse), views: views);
                return Report(parse, outFile, spec.Name, datasetName, forward, evalMode, null, views, shardRange, start, end, data);
            }
            if (network is not IsingBlockNet blockNet) throw new ArgumentException("--mode gibbs needs a thermodynamic (ising-blocks) model");
            var pipeline = new BlockPipeline(blockNet);
            var gibbs = Gibbs(parse, pipeline.Blocks);
            CheckCost(pipeline, gibbs, (end - start) * views.Count, parse.GetValue(force));
            var result = Evaluator.RunGibbs(pipeline, data, normalization, gibbs, start, end - start, progress: Progress(parse), views: views);
            return Report(parse, outFile, spec.Name, datasetName, result, evalMode, gibbs, views, shardRange, start, end, data);
        });

        int EvaluateCompiled(ParseResult parse, CommandOutput? outFile, IReadOnlyList<TestTimeView> views)
        {
            string path = parse.GetValue(model)!;
            var evalMode = parse.GetValue(mode);
            if (evalMode != EvalMode.Gibbs)
                throw new ArgumentException($"--mode {evalMode.ToString().ToLowerInvariant()}: '{path}' is a compiled network, which holds Ising programs only; use --mode gibbs (or evaluate the checkpoint it was compiled from)");
            var compiled = CompiledBlockNetFile.Load(path);
            string datasetName = parse.GetValue(dataset) ?? compiled.Dataset ?? throw new ArgumentException($"compiled network '{path}' does not name its dataset: pass --dataset");
            var (data, shardRange, start, end) = Examples(parse, datasetName, compiled.Name, compiled.InputShape, compiled.Classes);
            var pipeline = new BlockPipeline(compiled);
            var gibbs = Gibbs(parse, pipeline.Blocks);
            CheckCost(pipeline, gibbs, (end - start) * views.Count, parse.GetValue(force));
            var result = Evaluator.RunGibbs(pipeline, data, compiled.Normalization, gibbs, start, end - start, progress: Progress(parse), views: views);
            return Report(parse, outFile, compiled.Name, datasetName, result, evalMode, gibbs, views, shardRange, start, end, data);
        }

        // The sampling settings: --schedule (G/T per block) or --samples with --burn-in, read by the one schedule parser.
        GibbsSettings Gibbs(ParseResult parse, int blocks)
        {
            var plan = parse.GetValue(schedule) is string text
                ? parse.GetResult(samples) is { Implicit: false }
                    ? throw new ArgumentException("--schedule gives G for every block: drop --samples")
                    : BlockSchedule.Parse(text, blocks, parse.GetValue(burnIn), "--schedule")
                : BlockSchedule.Parse(parse.GetValue(samples)!, blocks, parse.GetValue(burnIn), "--samples");
            return new GibbsSettings(plan, parse.GetValue(chains), parse.GetValue(seed));
        }

        // The examples this run evaluates: the split, cut to --limit, checked against the model, and this shard's range.
        (LabeledImages Data, Shard Shard, int Start, int End) Examples(ParseResult parse, string datasetName, string name, int[] input, int classes)
        {
            var data = DatasetCatalog.Load(datasetName, parse.GetValue(split)!, new DataFetcher(parse.GetValue(dataDir)));
            if (parse.GetValue(limit) is int count) data = data.Slice(0, Math.Min(count, data.Count));
            DatasetCompatibility.Require(data, name, input, classes);
            var shardRange = Shard.Parse(parse.GetValue(shard)!);
            var (start, end) = shardRange.Range(data.Count);
            return (data, shardRange, start, end);
        }

        // The examples evaluated so far, on stderr (none with --json); Report ends the line.
        StatusLine? status = null;
        Action<int, int>? Progress(ParseResult parse)
        {
            status = parse.GetValue(json) ? null : StatusLine.Stderr();
            return status is null ? null : (done, total) => status.Count(done, total, "examples");
        }

        int Report(ParseResult parse, CommandOutput? outFile, string name, string datasetName, EvalResult result, EvalMode evalMode, GibbsSettings? gibbs, IReadOnlyList<TestTimeView> views, Shard shardRange, int start, int end, LabeledImages data)
        {
            bool asJson = parse.GetValue(json);
            status?.End();
            var doc = EvalShards.ToJson(result, name, datasetName, parse.GetValue(split)!, evalMode, gibbs, shardRange, start, data.Labels.AsSpan(start, end - start),
                ModelSha256(parse.GetValue(model)!), views);
            if (parse.GetValue(output) is string path) outFile!.PublishText(path, doc.ToFiniteJson());
            if (asJson) Console.WriteLine(EvalShards.Summary(doc).ToFiniteJson());
            else
            {
                string cost = gibbs is null ? "" : $", {result.SpinUpdates.Sum() / (double)Math.Max(1, result.Count):N0} spin updates per inference";
                Console.WriteLine($"{name} on {datasetName}/{parse.GetValue(split)} [{start}, {end}) {evalMode.ToString().ToLowerInvariant()}"
                    + (gibbs is null ? "" : $" G={string.Join(",", gibbs.Schedule.Samples)} burn-in {string.Join(",", gibbs.Schedule.HasUniformBurnIn ? gibbs.Schedule.BurnIn[..1] : gibbs.Schedule.BurnIn)} chains {gibbs.Chains}")
                    + (TestTimeView.AsIs(views) ? "" : $" tta {string.Join(",", views)}")
                    + $": accuracy {result.Accuracy * 100:F2}% ({result.Correct}/{result.Count}), top-2 {result.Top2Accuracy * 100:F2}%{cost}, {result.Seconds:F1} s");
            }
            return 0;
        }
        return cmd;
    }

    /// <summary>
    /// SHA-256 of what --model names: the checkpoint file, or for a compiled network directory the hash of its files'
    /// names and hashes (network.json and every block program), so that an f32 and an i8 compilation differ.
    /// </summary>
    static string ModelSha256(string path)
    {
        if (!Directory.Exists(path)) return Provenance.FileSha256(path);
        var listing = new System.Text.StringBuilder();
        foreach (var file in Directory.GetFiles(path).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal))
            listing.Append(Path.GetFileName(file)).Append(' ').Append(Provenance.FileSha256(file)).Append('\n');
        return "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(listing.ToString())));
    }

    /// <summary>Most chains per input: their averages are pooled, and beyond this the pooling gains nothing measurable.</summary>
    const int MaxChains = 1 << 20;

    /// <summary>Refuses a Gibbs evaluation whose spin updates (free spins × (burn-in + G) × chains × examples) exceed the bound, unless --force.</summary>
    static void CheckCost(BlockPipeline pipeline, GibbsSettings gibbs, int examples, bool force)
    {
        var plan = gibbs.Schedule;
        double perChain = 0, sweeps = 0;
        for (int b = 0; b < pipeline.Blocks; b++)
        {
            if ((long)plan.BurnIn[b] + plan.Samples[b] > int.MaxValue)
                throw new ArgumentException($"--burn-in {plan.BurnIn[b]} + --samples {plan.Samples[b]} is more than {int.MaxValue} sweeps of block {b}");
            sweeps += (double)plan.BurnIn[b] + plan.Samples[b];
            perChain += Schedule.SpinUpdates(pipeline.FreeSpins[b], (long)plan.BurnIn[b] + plan.Samples[b]);
        }
        string settings = plan.HasUniformBurnIn
            ? $"--samples {string.Join(",", plan.Samples)}, --burn-in {plan.BurnIn[0]}"
            : $"--schedule {plan}";
        SamplingCost.Check(perChain * gibbs.Chains * examples, sweeps, $"{settings} and --chains {gibbs.Chains} on {examples} examples", force);
    }
}
