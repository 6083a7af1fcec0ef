using System.Globalization;
using System.Text.Json.Nodes;
using Thermo.Analysis;

namespace Thermo.Reports;

/// <summary>
/// Sections of the inference cost-versus-accuracy report (<see cref="RunReport"/>): accuracy against samples predicted
/// and measured, autocorrelation functions and times, the schedule comparison bar chart, and the cost/energy ledger.
/// </summary>
public static class InferenceReport
{
    static string F(double v, string format = "G4") => v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Accuracy versus G: table, plot (measured with error bars, predicted dashed) and the fitted large-G law.</summary>
    public static void AddAccuracyCurve(RunReport report, string title, IReadOnlyList<CurvePoint> points, AccuracyLaw? law, double tau)
    {
        var g = points.Select(p => (double)p.Schedule.Samples[0]).ToArray();
        var table = new ReportTable("schedule", "spin updates", "predicted", "± s.e.", "measured", "± s.e.", "predicted − measured");
        foreach (var p in points) table.Row(p.Schedule.ToString(), Math.Round(p.Cost), p.Predicted, p.PredictedError, p.Measured, p.MeasuredError, p.Difference);
        table.Format(1, "N0").Format(2, "P2").Format(3, "P2").Format(4, "P2").Format(5, "P2").Format(6, "P2");
        var plot = new PlotSpec(title, "accuracy-vs-samples").Axes("samples per block G", "accuracy", AxisScale.Log2)
            .Line("measured", g, points.Select(p => p.Measured).ToArray(), points.Select(p => double.IsNaN(p.MeasuredError) ? 0 : p.MeasuredError).ToArray(), style: SeriesStyle.Markers)
            .Line("predicted (pilot)", g, points.Select(p => p.Predicted).ToArray(), style: SeriesStyle.Dashed);
        var section = report.Section(title);
        section.Text("Uniform schedules (the same G and burn-in in every block). *Measured*: real block Gibbs sampling, averaged over the replicates; "
            + "*predicted*: the pilot model (first-block windows, intermediate blocks by Gibbs from nested pools (or mean field if chosen), Gibbs last block, Gaussian readout beyond the pilot). "
            + "Errors are one standard error of the expected accuracy on these examples.");
        if (law is not null)
        {
            plot.Line($"fit acc(∞) − K·G^−{F(law.Gamma, "0.##")}", g.Where(v => v >= 8).ToArray(), g.Where(v => v >= 8).Select(law.At).ToArray(), style: SeriesStyle.Line);
            section.Text($"Large-G law fitted to the measured points with G ≥ 8: acc(∞) = {F(100 * law.Asymptote, "F2")}%, K = {F(law.K, "G3")}, γ = {F(law.Gamma, "0.##")}"
                + (Math.Abs(law.Gamma - 1) < 1e-9 ? $"; with τ_B = {F(tau, "F3")}, C = K/τ = {F(law.C(tau), "G3")} in acc(∞) − acc(G) ≈ C·τ/G." : "."));
            report.Result("law_asymptote", law.Asymptote).Result("law_k", law.K).Result("law_gamma", law.Gamma);
        }
        section.Table(table).Plot(plot);
        double worst = points.Where(p => !double.IsNaN(p.Difference)).Select(p => Math.Abs(p.Difference)).DefaultIfEmpty(double.NaN).Max();
        report.Result("max_abs_prediction_error", worst);
    }

    /// <summary>τ_int per block, autocorrelation functions, the (β, δ) scan against the Dobrushin bound and the variance check.</summary>
    public static void AddAutocorrelation(RunReport report, IReadOnlyList<LayerAutocorrelation> taus, IReadOnlyList<MixingRow> scan, IReadOnlyList<(int Block, TimeAverageCheck Check)> checks,
        IReadOnlyList<double[]>? relaxation = null)
    {
        var section = report.Section("Autocorrelation");
        section.Text("τ_int = 1 + 2 Σ ρ(t) with Sokal's automatic window (M ≥ 5 τ), chains of one input centred on their pooled mean. "
            + "*Pooled*: variance-weighted over the layer's spins, so Σ_i Var(m̄_i) ≈ Σ_i σ_i² τ/G.");
        var t = new ReportTable("block", "pooled τ", "± s.e.", "window M", "spin τ median", "spin τ 90%", "spin τ max", "frozen", "class-sum τ (mean)");
        for (int b = 0; b < taus.Count; b++)
        {
            var a = taus[b];
            double cls = a.Groups.Length == 0 ? double.NaN : a.Groups.Average(x => x.Tau);
            t.Row(b, a.Pooled.Tau, a.Pooled.TauStandardError, a.Pooled.Window, a.SpinTauQuantile(0.5), a.SpinTauQuantile(0.9), a.SpinTauQuantile(1), a.FrozenFraction, cls);
            report.Result($"tau_block{b}", a.Pooled.Tau);
        }
        section.Table(t.Format(7, "P1"));
        int lags = taus.Max(a => a.Pooled.Rho.Length);
        var x = Enumerable.Range(0, lags).Select(v => (double)v).ToArray();
        var plot = new PlotSpec("Autocorrelation of block outputs", "autocorrelation").Axes("lag t (sweeps)", "ρ(t)");
        for (int b = 0; b < taus.Count; b++)
        {
            var rho = taus[b].Pooled.Rho;
            plot.Line($"block {b} outputs", x.Take(rho.Length).ToArray(), rho);
        }
        section.Plot(plot);
        if (scan.Count > 0)
        {
            var s = new ReportTable("block", "β", "δ", "α = max βΣ|J|", "λ (sweep)", "bound (1+λ)/(1−λ)", "measured τ", "± s.e.", "spin τ max");
            foreach (var r in scan) s.Row(r.Block, r.Beta, r.Delta, r.Alpha, r.Lambda, r.Bound, r.Output.Pooled.Tau, r.Output.Pooled.TauStandardError, r.Output.SpinTauQuantile(1));
            section.Text("Dependence on β and δ: every block's program rescaled; α is the Dobrushin row sum over free–free couplings, λ the per-sweep "
                + "contraction of the two-colour sweep (tanh influences). The bound holds whenever λ < 1; the trained blocks sit outside that regime "
                + "and still mix in about one sweep.").Table(s);
        }
        if (relaxation is { Count: > 0 })
        {
            int len = Math.Min(12, relaxation.Min(r => r.Length));
            var rx = Enumerable.Range(1, len).Select(v => (double)v).ToArray();
            var rp = new PlotSpec("Burn-in: relaxation from the random start", "relaxation").Axes("sweeps", "1 − R(t)", AxisScale.Linear, AxisScale.Log10);
            var rt = new ReportTable(["block", .. Enumerable.Range(1, len).Select(v => $"R after {v}")]);
            for (int b = 0; b < relaxation.Count; b++)
            {
                rp.Line($"block {b}", rx, relaxation[b].Take(len).Select(v => Math.Max(1e-4, 1 - v)).ToArray());
                rt.Row([b, .. relaxation[b].Take(len).Select(v => (ReportValue)v)]);
            }
            section.Text("Overlap R(t) = Σ m⟨s(t)⟩/Σ m² of the chain-averaged outputs with their equilibrium magnetisations after t sweeps from the random initial state (32 chains): 1 − R is the burn-in bias left.")
                .Table(rt).Plot(rp);
        }
        if (checks.Count > 0)
        {
            var c = new ReportTable("block", "G", "chains", "spins", "observed Σ Var(m̄)", "Σ σ²τ/G", "ratio", "± rel. error");
            foreach (var (b, k) in checks) c.Row(b, k.Samples, k.Chains, k.Spins, k.ObservedVariance, k.PredictedVariance, k.Ratio, k.RelativeError);
            section.Text("Check of Var(mean of G) ≈ σ²·τ_int/G: across-chain variance of every output spin's time average against the prediction from the same chains' traces.").Table(c);
        }
    }

    /// <summary>The uniform / optimal / adaptive comparison: operating points, costs at the common accuracy and a bar chart.</summary>
    public static void AddComparison(RunReport report, ComparisonResult c)
    {
        var section = report.Section("Schedules at equal accuracy");
        section.Text($"All methods measured by sampling on the same examples; the target accuracy is A* = {F(100 * c.Target, "F2")}%. "
            + "A method's cost at A* is interpolated between its measured points around A* (accuracy linear in log cost). "
            + (c.OptimalUnreached is string why ? $"No optimal or adaptive points: {why}."
                : "Adaptive: each example climbs the ladder " + string.Join(" → ", c.Ladder.Select(s => $"({s})")) + " until the sequential test accepts its class."));
        var t = new ReportTable("method", "schedule", "spin updates", "measured", "± s.e.", "predicted");
        foreach (var p in c.Points) t.Row(p.Method, p.Label, Math.Round(p.Cost), p.Accuracy, p.StandardError, p.Predicted);
        section.Table(t.Format(2, "N0").Format(3, "P2").Format(4, "P2").Format(5, "P2"));
        var methods = new[] { "uniform", "optimal", "adaptive" };
        var costs = methods.Select(m => c.CostAtTarget[m]).ToArray();
        var summary = new ReportTable("method", "spin updates at A*", "saving vs uniform");
        for (int i = 0; i < methods.Length; i++) summary.Row(methods[i], Math.Round(costs[i]), costs[0] / costs[i]);
        section.Table(summary.Format(1, "N0").Format(2, "F2"));
        section.Plot(new PlotSpec("Spin updates per inference at equal accuracy", "schedule-comparison").Axes("method", "spin updates per inference")
            .Bars($"A* = {F(100 * c.Target, "F2")}%", methods, costs));
        var curve = new PlotSpec("Accuracy against cost", "accuracy-vs-cost").Axes("spin updates per inference", "accuracy", AxisScale.Log10);
        foreach (var m in methods)
        {
            var pts = c.Points.Where(p => p.Method == m).OrderBy(p => p.Cost).ToList();
            if (pts.Count > 0) curve.Line(m, pts.Select(p => p.Cost).ToArray(), pts.Select(p => p.Accuracy).ToArray());
        }
        section.Plot(curve);
        report.Result("target_accuracy", c.Target);
        foreach (var (m, v) in methods.Zip(costs)) report.Result($"cost_at_target_{m}", v);
        report.Result("saving_optimal_vs_uniform", costs[0] / costs[1]).Result("saving_adaptive_vs_optimal", costs[1] / costs[2]);
        report.Detail("comparison", new JsonObject
        {
            ["target"] = c.Target,
            ["ladder"] = new JsonArray(c.Ladder.Select(s => (JsonNode)s.ToString()).ToArray()),
            ["points"] = new JsonArray(c.Points.Select(p => (JsonNode)new JsonObject
            {
                ["method"] = p.Method, ["label"] = p.Label, ["cost"] = p.Cost, ["accuracy"] = p.Accuracy,
                ["standard_error"] = Finite(p.StandardError), ["predicted"] = Finite(p.Predicted),
            }).ToArray()),
        });
    }

    static JsonNode? Finite(double v) => double.IsFinite(v) ? v : null;

    /// <summary>Ledger: spin updates and glue operations per block, and energy per inference on each hardware profile.</summary>
    public static void AddLedger(RunReport report, IReadOnlyList<(string Label, CostLedger Ledger)> rows, IReadOnlyList<EnergyProfile>? profiles = null)
    {
        profiles ??= EnergyProfile.IsingDefaults;
        var digital = EnergyProfile.Digital45nm();
        var section = report.Section("Cost and energy ledger");
        int blocks = rows.Max(r => r.Ledger.SpinUpdates.Length);
        var header = new List<string> { "schedule" };
        for (int b = 0; b < blocks; b++) header.Add($"spin updates block {b}");
        header.AddRange(["digital ops", "Ising share", "digital-network MACs"]);
        var t = new ReportTable([.. header]);
        foreach (var (label, l) in rows)
        {
            var cells = new List<ReportValue> { label };
            for (int b = 0; b < blocks; b++) cells.Add(Math.Round(b < l.SpinUpdates.Length ? l.SpinUpdates[b] : 0));
            cells.Add(Math.Round(l.TotalDigitalOps)); cells.Add(l.IsingFraction); cells.Add(l.DigitalNetworkMacs);
            t.Row([.. cells]);
        }
        section.Text("Per inference, one chain. Digital glue: image binarisation, per-sample accumulation of block outputs, signs, class sums, arg-max.").Table(t);
        var e = new ReportTable("schedule", "profile", "J per spin update", "Ising energy (J)", "glue energy (J)", "digital network (J)", "advantage");
        foreach (var (label, l) in rows)
            foreach (var p in profiles)
            {
                var (ising, glue, _) = l.Energy(p, digital);
                e.Row(label, p.Name, p.JoulesPerSpinUpdate, ising, glue, l.DigitalNetworkEnergy(digital), l.Advantage(p, digital));
            }
        section.Text("Energy per inference. Glue and the digital forward pass of the same network at 45 nm (fp32 MAC 4.6 pJ, int add 0.1 pJ; "
            + "Horowitz, ISSCC 2014); advantage = digital forward-pass energy / (Ising + glue). Sources and assumptions:\n\n"
            + string.Join("\n", profiles.Append(digital).Select(p => $"- **{p.Name}**: {p.Source}")))
            .Table(e.Format(2, "E2").Format(3, "E2").Format(4, "E2").Format(5, "E2").Format(6, "E2"));
    }
}
