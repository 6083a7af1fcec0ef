using Thermo.Blocks;

namespace Thermo.Analysis;

/// <summary>
/// Chooses samples G_b (and burn-in T_b) per block to minimise the Ising cost Σ_b n_b (T_b + G_b) subject to a
/// predicted accuracy target, or to maximise the predicted accuracy within a budget of spin updates. The model need
/// not be separable, monotone or convex (sign-average ties make even G worse than G − 1), so the search runs over a
/// grid of candidate G values: coordinate descent (each block's best feasible (G, T) with the others fixed, most
/// expensive block first), then trades (pin one block at each grid value and re-descend the others), repeated until no
/// move helps. <see cref="BruteForce"/> enumerates the grid exactly for checking on small cases.
/// <para>For the separable law acc(∞) − acc = Σ_b a_b/G_b, the continuous optimum is G_b ∝ √(a_b/c_b) with total cost
/// (Σ_b √(a_b c_b))²/ε (<see cref="SeparableOptimum"/>).</para>
/// </summary>
public sealed class ScheduleOptimizer
{
    readonly IAccuracyModel model;
    readonly long[] freeSpins;
    readonly int[][] grids;
    readonly int[][] burnIns;
    readonly Dictionary<string, double> cache = new(StringComparer.Ordinal);

    /// <summary>
    /// Prepares a search over <paramref name="grid"/> (candidate G for every block, default <see cref="DefaultGrid"/>(1024)) and,
    /// per block, candidate burn-ins <paramref name="burnIns"/> (default: 0 only; pass the measured choice).
    /// </summary>
    public ScheduleOptimizer(IAccuracyModel model, IReadOnlyList<long> freeSpins, IReadOnlyList<int>? grid = null, IReadOnlyList<int[]>? burnIns = null)
        : this(model, freeSpins, Enumerable.Repeat((grid ?? DefaultGrid(1024)).ToArray(), model.Blocks).ToList(), burnIns)
    {
    }

    /// <summary>Prepares a search with its own grid of candidate G per block (<paramref name="grids"/>[b]).</summary>
    public ScheduleOptimizer(IAccuracyModel model, IReadOnlyList<long> freeSpins, IReadOnlyList<int[]> grids, IReadOnlyList<int[]>? burnIns = null)
    {
        if (freeSpins.Count != model.Blocks) throw new ArgumentException($"need free-spin counts for {model.Blocks} blocks, got {freeSpins.Count}");
        if (grids.Count != model.Blocks) throw new ArgumentException($"need a G grid for each of the {model.Blocks} blocks, got {grids.Count}");
        this.model = model;
        this.freeSpins = freeSpins.ToArray();
        this.grids = grids.Select(g => g.Distinct().Order().ToArray()).ToArray();
        if (this.grids.Any(g => g.Length == 0 || g[0] < 1)) throw new ArgumentException("every G grid must hold positive sample counts");
        this.burnIns = burnIns?.Select(t => t.Distinct().Order().ToArray()).ToArray() ?? Enumerable.Repeat(new[] { 0 }, model.Blocks).ToArray();
        if (this.burnIns.Length != model.Blocks || this.burnIns.Any(t => t.Length == 0 || t[0] < 0))
            throw new ArgumentException($"need at least one non-negative burn-in candidate for each of the {model.Blocks} blocks");
    }

    /// <summary>Model evaluations so far (cached by schedule).</summary>
    public int Evaluations => cache.Count;

    /// <summary>Every integer up to 16, then steps of about 2^(1/4), both parities, up to <paramref name="max"/>.</summary>
    public static int[] DefaultGrid(int max)
    {
        var g = new SortedSet<int>();
        for (int i = 1; i <= Math.Min(16, max); i++) g.Add(i);
        for (double v = 16; v <= max; v *= Math.Pow(2, 0.25))
        {
            int r = (int)Math.Round(v);
            if (r <= max) g.Add(r);
            if (r + 1 <= max) g.Add(r + 1);
        }
        g.Add(max);
        return g.ToArray();
    }

    /// <summary>Predicted accuracy (cached).</summary>
    public double Accuracy(BlockSchedule s)
    {
        if (!cache.TryGetValue(s.Key, out double a)) cache[s.Key] = a = model.PredictAccuracy(s);
        return a;
    }

    /// <summary>Cost per input Σ_b n_b (T_b + G_b).</summary>
    public double Cost(BlockSchedule s) => s.Cost(freeSpins);

    /// <summary>The cheapest schedule found whose predicted accuracy reaches <paramref name="target"/>, or null when even the largest grid schedule misses it.</summary>
    public BlockSchedule? MinimiseCost(double target) => Search(s => Accuracy(s) >= target, s => Cost(s));

    /// <summary>The schedule found with the best predicted accuracy at cost ≤ <paramref name="budget"/> (ties: cheaper), or null when nothing fits.</summary>
    public BlockSchedule? MaximiseAccuracy(double budget)
    {
        double scale = budget > 0 ? 1e-9 / budget : 0;
        return Search(s => Cost(s) <= budget, s => -Accuracy(s) + scale * Cost(s), startCheapest: true);
    }

    BlockSchedule? Search(Func<BlockSchedule, bool> feasible, Func<BlockSchedule, double> objective, bool startCheapest = false)
    {
        int blocks = model.Blocks;
        var g = Enumerable.Range(0, blocks).Select(b => startCheapest ? 0 : grids[b].Length - 1).ToArray();   // indices into grids[b]
        var t = new int[blocks];                                                          // indices into burnIns[b]
        if (!startCheapest) for (int b = 0; b < blocks; b++) t[b] = burnIns[b].Length - 1;
        var current = Make(g, t);
        if (!feasible(current)) return null;
        double best = objective(current);
        var order = Enumerable.Range(0, blocks).OrderByDescending(b => freeSpins[b]).ToArray();
        CoordinateDescent(g, t, order, -1, feasible, objective, ref best);
        for (int round = 0; round < 10; round++)
        {
            bool improved = false;
            // Trades: pin one block at each grid value and let coordinate descent re-balance the others.
            foreach (int i in order)
                for (int gi = 0; gi < grids[i].Length; gi++)
                {
                    if (gi == g[i]) continue;
                    var g2 = (int[])g.Clone(); var t2 = (int[])t.Clone();
                    g2[i] = gi;
                    var s = Make(g2, t2);
                    double trial = feasible(s) ? objective(s) : double.PositiveInfinity;
                    CoordinateDescent(g2, t2, order, i, feasible, objective, ref trial);
                    if (trial < best - 1e-12) { best = trial; g = g2; t = t2; improved = true; }
                }
            if (!improved) break;
            CoordinateDescent(g, t, order, -1, feasible, objective, ref best);
        }
        return Make(g, t);
    }

    /// <summary>Improves one block at a time (all but <paramref name="pinned"/>), in <paramref name="order"/>, until no single block's change helps.</summary>
    void CoordinateDescent(int[] g, int[] t, int[] order, int pinned, Func<BlockSchedule, bool> feasible, Func<BlockSchedule, double> objective, ref double best)
    {
        for (int sweep = 0; sweep < 50; sweep++)
        {
            bool improved = false;
            foreach (int b in order)
                if (b != pinned && BestForBlock(b, g, t, feasible, objective, ref best)) improved = true;
            if (!improved) return;
        }
    }

    bool BestForBlock(int b, int[] g, int[] t, Func<BlockSchedule, bool> feasible, Func<BlockSchedule, double> objective, ref double best)
    {
        bool improved = false;
        int keepG = g[b], keepT = t[b];
        int bestG = keepG, bestT = keepT;
        for (int ti = 0; ti < burnIns[b].Length; ti++)
            for (int gi = 0; gi < grids[b].Length; gi++)
            {
                g[b] = gi; t[b] = ti;
                var s = Make(g, t);
                if (!feasible(s)) continue;
                double v = objective(s);
                if (v < best - 1e-12) { best = v; bestG = gi; bestT = ti; improved = true; }
            }
        g[b] = bestG; t[b] = bestT;
        return improved;
    }

    BlockSchedule Make(int[] g, int[] t) =>
        new(g.Select((i, b) => grids[b][i]).ToArray(), t.Select((i, b) => burnIns[b][i]).ToArray());

    /// <summary>Exhaustive search over the grid (and burn-in candidates): the cheapest schedule reaching <paramref name="target"/>.</summary>
    public BlockSchedule? BruteForce(double target)
    {
        BlockSchedule? best = null;
        double bestCost = double.PositiveInfinity;
        int blocks = model.Blocks;
        var g = new int[blocks]; var t = new int[blocks];
        while (true)
        {
            var s = Make(g, t);
            double c = Cost(s);
            if (c < bestCost && Accuracy(s) >= target) { best = s; bestCost = c; }
            int b = 0;
            for (; b < blocks; b++)
            {
                if (++g[b] < grids[b].Length) break;
                g[b] = 0;
                if (++t[b] < burnIns[b].Length) break;
                t[b] = 0;
            }
            if (b == blocks) return best;
        }
    }

    /// <summary>
    /// The continuous optimum of min Σ_b c_b G_b subject to Σ_b a_b/G_b ≤ ε: G_b = √(a_b/c_b)·Σ_k √(a_k c_k)/ε,
    /// with total cost (Σ_b √(a_b c_b))²/ε.
    /// </summary>
    public static (double[] Samples, double Cost) SeparableOptimum(IReadOnlyList<double> a, IReadOnlyList<double> c, double epsilon)
    {
        if (a.Count != c.Count) throw new ArgumentException("a and c need one entry per block");
        if (!(epsilon > 0)) throw new ArgumentException($"the error budget ε must be positive, got {epsilon}");
        double s = 0;
        for (int b = 0; b < a.Count; b++) s += Math.Sqrt(a[b] * c[b]);
        var g = new double[a.Count];
        for (int b = 0; b < a.Count; b++) g[b] = c[b] > 0 ? Math.Sqrt(a[b] / c[b]) * s / epsilon : double.PositiveInfinity;
        return (g, s * s / epsilon);
    }
}
