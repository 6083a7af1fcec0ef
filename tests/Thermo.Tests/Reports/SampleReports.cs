using System.Text.Json.Nodes;
using Thermo.IO;
using Thermo.Reports;

namespace Thermo.Tests.Reports;

/// <summary>Reports that exercise every block and series kind, with fixed provenance so output is reproducible.</summary>
public static class SampleReports
{
    public static readonly double[] G = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

    public static RunReport Full()
    {
        var report = new RunReport("Quickstart: MNIST on a thermodynamic network", ReportKind.Quickstart)
        {
            Seed = 42,
            WallTime = TimeSpan.FromSeconds(83.25),
            Provenance = new Provenance
            {
                ThermoVersion = "1.0.0+abc123",
                CommandLine = "thermo quickstart --seed 42 --out runs/quickstart",
                Machine = "vm; Debian GNU/Linux 12 (bookworm); X64; 2 cores; .NET 10.0.0",
                Created = new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero),
                DatasetChecksums = new() { ["mnist/train-images-idx3-ubyte"] = "sha256:ba7c", ["mnist/t10k-images-idx3-ubyte"] = "sha256:8d42" },
            },
        };
        report.Result("test_accuracy", 0.98765432).Result("samples_per_block", 64).Result("preset", "mnist-conv")
              .Result("energy_per_inference_J", 3.2e-12).Result("converged", true).Result("loss_final", double.NaN);
        report.Detail("epochs", new JsonArray(new JsonObject { ["epoch"] = 1, ["loss"] = 0.31 }, new JsonObject { ["loss"] = 0.12, ["epoch"] = 2 }))
              .Detail("config", new JsonObject { ["width"] = 32, ["beta"] = 1.5 });

        var measured = new double[G.Length];
        var error = new double[G.Length];
        var predicted = new double[G.Length];
        for (int i = 0; i < G.Length; i++)
        {
            predicted[i] = 0.99 - 0.5 / Math.Sqrt(G[i] + 1);
            measured[i] = predicted[i] + 0.004 * Math.Sin(3 * i);
            error[i] = 0.02 / Math.Sqrt(G[i]);
        }
        report.Section("Accuracy versus samples per block")
            .Text("Test accuracy of Gibbs-sampled inference against the number of samples per block **G**.\n\n"
                + "- measured: mean over 5 seeds, ± one standard error\n- predicted: the *accuracy-versus-cost* model")
            .Table(new ReportTable("G", "measured", "± s.e.", "predicted").Format("± s.e.", "F4")
                .AddRows(G.Select((g, i) => (IReadOnlyList<ReportValue>)[(long)g, measured[i], error[i], predicted[i]])))
            .Plot(new PlotSpec("Accuracy versus samples per block")
                .Axes("samples per block G", "test accuracy", xScale: AxisScale.Log2)
                .Line("measured", G, measured, error, SeriesStyle.Markers)
                .Line("predicted", G, predicted, style: SeriesStyle.Dashed)
                .WithCaption("Measured points with error bars; dashed: prediction."))
            .Plot(new PlotSpec("Spin updates per block")
                .Axes("block", "spin updates (millions)")
                .Bars("uniform", ["block 1", "block 2", "block 3", "block 4"], [4.1, 3.2, 2.5, 1.0], [0.2, 0.1, 0.1, 0.05])
                .Bars("optimised", ["block 1", "block 2", "block 3", "block 4"], [2.0, 2.5, 1.9, 0.8]));

        var lags = Enumerable.Range(0, 60).Select(t => (double)t).ToArray();
        var acfs = new[] { 2.0, 5.0, 12.0 }.Select(tau => (IReadOnlyList<double>)lags.Select(t => Math.Exp(-t / tau)).ToArray()).ToArray();
        var confusion = new int[10, 10];
        for (int r = 0; r < 10; r++)
            for (int c = 0; c < 10; c++) confusion[r, c] = r == c ? 950 + 3 * r : (r * 7 + c * 3) % 9;
        report.Section("Sampling diagnostics")
            .Text("Autocorrelation of the output spins for three temperatures; the confusion matrix of the final model.")
            .Plot(new PlotSpec("Autocorrelation functions").Axes("lag (sweeps)", "autocorrelation")
                .Lines(["β = 0.5", "β = 1", "β = 2"], lags, acfs))
            .Plot(PlotSpec.ConfusionMatrix("Confusion matrix (test set)", confusion, Enumerable.Range(0, 10).Select(i => i.ToString()).ToArray()));
        return report;
    }

    /// <summary>A small report (one table, one figure) for fast tests.</summary>
    public static RunReport Small(string title = "small")
    {
        var report = new RunReport(title, ReportKind.Eval) { Seed = 7, Provenance = new Provenance { CommandLine = "thermo eval --seed 7" } };
        report.Result("accuracy", 0.5);
        report.Section("Results")
            .Table(new ReportTable("G", "accuracy").Row(1, 0.5).Row(2, 0.75))
            .Plot(new PlotSpec("Accuracy", "accuracy").Size(200, 150).Axes("G", "accuracy", AxisScale.Log2).Line("measured", [1, 2], [0.5, 0.75]));
        return report;
    }
}
