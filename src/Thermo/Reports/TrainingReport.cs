using Thermo.Blocks;
using Thermo.Training;

namespace Thermo.Reports;

/// <summary>The report of a training run: results, learning curves, the model and (for block networks) its machine.</summary>
public static class TrainingReport
{
    /// <summary>Builds the report from the run's result and the progress events it recorded.</summary>
    public static RunReport Build(TrainingRunResult result, IReadOnlyList<TrainProgress> history)
    {
        var report = RunReport.Start($"Training {result.Spec.Name}", ReportKind.Train, seed: result.State.Seed);
        foreach (var src in result.Test.Sources) report.DatasetFile($"{result.Test.Name}/{Path.GetFileName(src.Path)}", src.Path);
        report.Result("finished", result.Finished).Result("epochs", result.State.Epoch).Result("steps", result.State.Step)
            .Result("train_seconds", Math.Round(result.Seconds, 1)).Result("parameters", result.Model.ParameterCount());
        if (result.TestAccuracy is double acc) report.Result("test_accuracy", acc);
        report.Detail("model_definition", System.Text.Json.Nodes.JsonNode.Parse(result.Spec.ToJson()));
        bool blocks = result.Model is IsingBlockNet;
        var summary = report.Section("Run").Text(
            $"Checkpoint `{result.CheckpointPath}`. Test accuracy is the {(blocks ? "noise-free surrogate (evaluate Gibbs sampling with `thermo eval --mode gibbs`)" : "forward pass")}.");
        var epochs = history.Where(p => p.ValidationAccuracy is not null).ToList();
        if (epochs.Count > 0)
        {
            var table = new ReportTable("epoch", "step", "loss", "test accuracy");
            foreach (var e in epochs) table.Row(e.Epoch + 1, e.Step, Math.Round(e.Loss, 4), e.ValidationAccuracy!.Value);
            summary.Table(table.Format(3, "P2"));
            summary.Plot(new PlotSpec("Test accuracy per epoch", "test-accuracy").Axes("epoch", "test accuracy")
                .Line("test", epochs.Select(e => (double)e.Epoch + 1).ToArray(), epochs.Select(e => e.ValidationAccuracy!.Value).ToArray()));
        }
        var steps = history.Where(p => p.ValidationAccuracy is null).ToList();
        if (steps.Count > 1)
            summary.Plot(new PlotSpec("Training loss", "training-loss").Axes("step", "loss (moving average)")
                .Line("loss", steps.Select(p => (double)p.Step).ToArray(), steps.Select(p => p.Loss).ToArray(), style: SeriesStyle.Line));
        if (result.Model is IsingBlockNet net)
        {
            var t = new ReportTable("block", "input", "hidden", "output", "δ", "couplings");
            for (int b = 0; b < net.Blocks.Count; b++)
            {
                var blk = net.Blocks[b];
                t.Row(b, Shape(blk.InputShape), Shape(blk.HiddenShape), Shape(blk.OutputShape), blk.Delta, $"{blk.Hidden.Describe()}; {blk.Output.Describe()}");
            }
            report.Section("Ising blocks").Text($"Objective: {net.Objective}.").Table(t);
        }
        return report;
    }

    static string Shape(int[] s) => $"[{string.Join(", ", s)}]";
}
