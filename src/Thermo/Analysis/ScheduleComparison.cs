using Thermo.Blocks;

namespace Thermo.Analysis;

/// <summary>Settings of <see cref="ScheduleComparison.Run"/>.</summary>
public sealed record ComparisonOptions
{
    /// <summary>Uniform G values measured for the baseline curve.</summary>
    public int[] UniformSamples { get; init; } = [1, 3, 5, 7, 9, 13, 17, 25, 33, 49, 65, 129, 257];
    /// <summary>Burn-in of every block in the uniform baseline and of the upstream blocks elsewhere.</summary>
    public int BurnIn { get; init; } = 4;
    /// <summary>Target accuracy A*; null: <see cref="BelowPlateau"/> under the plateau (mean measured accuracy of the two longest uniform schedules).</summary>
    public double? TargetAccuracy { get; init; }
    /// <summary>Default target distance below the plateau: where accuracy still rises with cost, so costs at A* are well defined.</summary>
    public double BelowPlateau { get; init; } = 0.01;
    /// <summary>Extra predicted accuracy asked of the optimal schedule, one measured schedule per entry.</summary>
    public double[] TargetMargins { get; init; } = [0, 0.002, 0.005];
    /// <summary>Error budgets ε of the adaptive test, one measured run each.</summary>
    public double[] Epsilons { get; init; } = [0.3, 0.1, 0.03, 0.01, 0.003, 0.001];
    /// <summary>Adaptive ladder: the optimal schedule's G scaled by these factors (snapped to the pilot grid upstream).</summary>
    public double[] LadderScales { get; init; } = [0.125, 0.25, 0.5, 1, 2];
    /// <summary>Replicate runs per measured schedule.</summary>
    public int Replicates { get; init; } = 1;
    /// <summary>Measurement seed (use one different from the pilot's).</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>Examples per batch.</summary>
    public int Batch { get; init; } = 32;
}

/// <summary>One measured operating point.</summary>
/// <param name="Method">uniform, optimal or adaptive.</param>
/// <param name="Label">Schedule (or ε and ladder) description.</param>
/// <param name="Cost">Mean Ising spin updates per inference.</param>
/// <param name="Accuracy">Measured accuracy.</param>
/// <param name="StandardError">Its standard error (NaN when unknown).</param>
/// <param name="Predicted">Predicted accuracy (NaN when not predicted).</param>
/// <param name="Ledger">Cost ledger of the point.</param>
public sealed record OperatingPoint(string Method, string Label, double Cost, double Accuracy, double StandardError, double Predicted, CostLedger Ledger);

/// <summary>Result of <see cref="ScheduleComparison.Run"/>: measured points of each method and their costs at the common target.</summary>
/// <param name="Target">The accuracy A* all methods are compared at.</param>
/// <param name="Points">Every measured operating point.</param>
/// <param name="CostAtTarget">Per method, the interpolated cost of reaching A* (NaN if no point reached it).</param>
/// <param name="Ladder">The adaptive ladder used (empty when the optimiser found no schedule).</param>
/// <param name="OptimalUnreached">Null when the optimiser found a schedule for A*; otherwise why there are no optimal and adaptive points
/// (the pilot predicts no schedule on the grid reaching A*), with the pilot's best prediction.</param>
public sealed record ComparisonResult(double Target, IReadOnlyList<OperatingPoint> Points, IReadOnlyDictionary<string, double> CostAtTarget, IReadOnlyList<BlockSchedule> Ladder,
    string? OptimalUnreached = null)
{
    /// <summary>Cost of the best uniform schedule over that of the optimal schedule at A*.</summary>
    public double OptimalSaving => CostAtTarget["uniform"] / CostAtTarget["optimal"];
    /// <summary>Cost of the optimal schedule over that of adaptive sampling at A*.</summary>
    public double AdaptiveSaving => CostAtTarget["optimal"] / CostAtTarget["adaptive"];
}

/// <summary>
/// Measures, on the same examples and by real sampling, the cost of reaching one accuracy A* with (1) the best uniform
/// schedule (same G and burn-in in every block), (2) the schedule the <see cref="PilotModel"/> and
/// <see cref="ScheduleOptimizer"/> choose for A* (and a little above, to absorb prediction error), and (3)
/// <see cref="AdaptiveSampler"/> on a ladder built from that schedule, over a range of ε. Each method's cost at A* is
/// interpolated between its two measured points around A*, linearly in accuracy against log cost.
/// </summary>
public static class ScheduleComparison
{
    /// <summary>Runs the comparison on the examples (first-block inputs, labels, global indices from <paramref name="firstIndex"/>).</summary>
    public static ComparisonResult Run(BlockPipeline p, sbyte[] inputs, int[] labels, long firstIndex, PilotModel pilot, IReadOnlyList<int> upstreamGrid,
        ComparisonOptions o, Action<string>? progress = null)
    {
        int blocks = p.Blocks, last = blocks - 1;
        var points = new List<OperatingPoint>();
        var uniform = o.UniformSamples.Select(g => BlockSchedule.Uniform(blocks, g, o.BurnIn)).ToList();
        var measured = ScheduleMeasurement.Measure(p, inputs, labels, firstIndex, uniform, o.Replicates, o.Seed, o.Batch, progress);
        foreach (var m in measured)
            points.Add(new OperatingPoint("uniform", m.Schedule.ToString(), m.Cost, m.Accuracy, m.StandardError, Predict(pilot, m.Schedule), CostLedger.For(p, m.Schedule)));
        if (o.TargetAccuracy is null && measured.Count < 2) throw new ArgumentException("without a target accuracy, measure at least two uniform schedules (the plateau is their top two)");
        double target = o.TargetAccuracy ?? measured.OrderByDescending(m => m.Cost).Take(2).Average(m => m.Accuracy) - o.BelowPlateau;

        var burnLast = Enumerable.Range(0, o.BurnIn + 1).ToArray();
        var burnIns = Enumerable.Range(0, blocks).Select(b => b == last ? burnLast : new[] { o.BurnIn }).ToList();
        var lastGrid = ScheduleOptimizer.DefaultGrid(1024);
        var optimal = new List<BlockSchedule>();
        foreach (double margin in o.TargetMargins)
        {
            var grids = Enumerable.Range(0, blocks).Select(b => b == last ? lastGrid : upstreamGrid.ToArray()).ToList();
            var s = new ScheduleOptimizer(pilot, p.FreeSpins, grids, burnIns).MinimiseCost(target + margin);
            if (s is not null && !optimal.Contains(s)) optimal.Add(s);
        }
        string? unreached = null;
        if (optimal.Count == 0)
        {
            // The optimiser's accuracy comes from the pilot, so it finds nothing when the pilot's prediction for the grid's
            // largest schedule stays below A* (a pilot biased low at large G, or A* on the measured plateau).
            var largest = new BlockSchedule(Enumerable.Range(0, blocks).Select(b => b == last ? lastGrid.Max() : upstreamGrid.Max()).ToArray(), Enumerable.Repeat(o.BurnIn, blocks).ToArray());
            unreached = $"the pilot predicts no schedule on the grid reaching A* = {100 * (target + o.TargetMargins.Min()):F2}% "
                + $"(its prediction for {largest} is {100 * Predict(pilot, largest):F2}%), so there are no optimal or adaptive points; "
                + "set --target-accuracy below that prediction";
        }
        if (optimal.Count > 0)
            foreach (var m in ScheduleMeasurement.Measure(p, inputs, labels, firstIndex, optimal, o.Replicates, o.Seed, o.Batch, progress))
                points.Add(new OperatingPoint("optimal", m.Schedule.ToString(), m.Cost, m.Accuracy, m.StandardError, Predict(pilot, m.Schedule), CostLedger.For(p, m.Schedule)));

        var ladder = new List<BlockSchedule>();
        if (optimal.Count > 0)
        {
            var basis = optimal[^1];
            foreach (double f in o.LadderScales)
            {
                var g = new int[blocks];
                for (int b = 0; b < blocks; b++)
                {
                    double v = Math.Max(1, basis.Samples[b] * f);
                    g[b] = b < last ? Snap(upstreamGrid, v) : Math.Max(1, (int)Math.Round(v));
                }
                var s = new BlockSchedule(g, basis.BurnIn);
                if (ladder.Count == 0 || !ladder[^1].Equals(s)) ladder.Add(s);
            }
            var upstream = ladder.Select(s => pilot.UpstreamVariance(s.Samples[..last])).ToList();
            foreach (double eps in o.Epsilons)
            {
                var a = AdaptiveSampler.Run(p, inputs, labels, firstIndex,
                    new AdaptiveOptions { Ladder = ladder, Epsilon = eps, Tau = pilot.LastBlockTau, UpstreamVariance = upstream, Batch = o.Batch }, o.Seed, progress);
                double se = Math.Sqrt(a.Accuracy * (1 - a.Accuracy) / labels.Length);
                points.Add(new OperatingPoint("adaptive", $"ε = {eps}", a.MeanCost, a.Accuracy, se, double.NaN, CostLedger.For(p, a)));
            }
        }
        var costs = new Dictionary<string, double>();
        foreach (var method in new[] { "uniform", "optimal", "adaptive" })
            costs[method] = CostAt(points.Where(pt => pt.Method == method).ToList(), target);
        return new ComparisonResult(target, points, costs, ladder, unreached);
    }

    static double Predict(PilotModel pilot, BlockSchedule s)
    {
        try { return pilot.PredictAccuracy(s); }
        catch (ArgumentException) { return double.NaN; }
    }

    static int Snap(IReadOnlyList<int> grid, double v) => grid.OrderBy(g => Math.Abs(Math.Log(g) - Math.Log(v))).ThenByDescending(g => g % 2).First();

    /// <summary>
    /// The cost at which a method reaches <paramref name="target"/>: the cheapest measured point at or above it, interpolated
    /// (accuracy linear in log cost) from the most accurate cheaper point below it; NaN when no point reaches it.
    /// </summary>
    public static double CostAt(IReadOnlyList<OperatingPoint> points, double target)
    {
        var sorted = points.OrderBy(p => p.Cost).ToList();
        int hi = sorted.FindIndex(p => p.Accuracy >= target);
        if (hi < 0) return double.NaN;
        var below = sorted.Take(hi).Where(p => p.Accuracy < target).ToList();
        if (below.Count == 0) return sorted[hi].Cost;
        var lo = below.MaxBy(p => p.Accuracy)!;
        double f = (target - lo.Accuracy) / (sorted[hi].Accuracy - lo.Accuracy);
        return Math.Exp(Math.Log(lo.Cost) + f * (Math.Log(sorted[hi].Cost) - Math.Log(lo.Cost)));
    }
}
