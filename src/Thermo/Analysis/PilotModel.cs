using Thermo.Autograd;
using Thermo.Blocks;
using Thermo.Randomness;
using Thermo.Sampling;
using Thermo.Tensors;

namespace Thermo.Analysis;

/// <summary>
/// Predicts the accuracy of any schedule from a short pilot run, per example, and averages over examples.
/// <para>
/// Model. The class decision of example i under schedule (G_b, T_b) depends on the upstream blocks only through the
/// last block's input x_B, a random ±1 vector: P_i = E_{x_B}[P(arg-max of the last block's G_B-sample class sums = y_i | x_B)].
/// The pilot builds draws of x_B: (1) block 0 (clamped image) is run in K chains for T + L₀ sweeps and their L₀ output
/// samples kept; a sign-average of G₀ ≤ L₀ samples is drawn as a window of G₀ consecutive pool samples at a random offset —
/// the machine's own statistic, with the outputs' temporal and spatial correlations intact; for G₀ &gt; L₀ each spin is
/// drawn independently with P(+1) the binomial tail of G₀ samples under the Beta(½ + plus, ½ + minus) posterior of its
/// magnetisation (<see cref="SignAverage"/>, fair ties). (2) Intermediate blocks b ≥ 1 get the block's mean-field
/// magnetisations m_b(x_b) (the training surrogate with feedback and variance propagation) and their signs are drawn
/// independently with P(σ = +1) = P(#plus &gt; G_b/2) + ½P(#plus = G_b/2) under Binomial(G_b, (1 + m)/2) (fair ties). (3) The last block is run by Gibbs on every
/// draw for T + L_B sweeps: for G_B ≤ L_B the readout is the exact arg-max of the recorded class sums; beyond, the
/// class sums are Gaussian: P(correct) = Π_{c≠y} Φ(d̄_c √G_B / (s_c √τ_B)) with the draw's mean class-sum difference d̄_c,
/// per-sample spread s_c and the pooled autocorrelation time τ_B of the class sums (the Gaussian-mixture model: the
/// mixture runs over examples and draws).
/// </para>
/// </summary>
public sealed class PilotModel : IAccuracyModel
{
    readonly BlockPipeline pipeline;
    readonly PilotOptions options;
    readonly int[] labels;
    readonly int classes, sweeps, draws, firstDraws, poolChains;
    readonly Dictionary<string, sbyte[]> traces = new(StringComparer.Ordinal);   // upstream key → [example][draw][sweep][class]
    readonly List<sbyte[]> tauInputs = new();

    PilotModel(BlockPipeline pipeline, PilotOptions options, int[] labels)
    {
        this.pipeline = pipeline; this.options = options; this.labels = labels;
        classes = pipeline.Classes;
        sweeps = options.BurnIn + options.LastBlockSamples;
        // Level 0 draws R₁ inputs per example and G₀ when intermediate blocks run by Gibbs (each a chain), else all R.
        bool nested = pipeline.Blocks >= 3 && !options.MeanFieldIntermediate;
        firstDraws = nested ? Math.Clamp(options.IntermediateRuns, 1, options.Draws) : options.Draws;
        draws = nested ? firstDraws * Math.Max(1, options.Draws / firstDraws) : options.Draws;
        poolChains = Math.Min(options.PoolChains, firstDraws);
    }

    /// <inheritdoc/>
    public int Blocks => pipeline.Blocks;
    /// <summary>Pilot settings.</summary>
    public PilotOptions Options => options;
    /// <summary>Examples in the pilot.</summary>
    public int Examples => labels.Length;
    /// <summary>Pooled integrated autocorrelation time τ_B of the last block's class sums.</summary>
    public double LastBlockTau { get; private set; } = 1;
    /// <summary>The upstream sample counts (G₀, …, G_{B−2}) the pilot covers.</summary>
    public IReadOnlyCollection<string> UpstreamKeys => traces.Keys;
    /// <summary>Draws of the last block's input per example and upstream schedule.</summary>
    public int Draws => draws;
    /// <summary>Ising spin updates the pilot spent (for cost accounting).</summary>
    public long PilotSpinUpdates { get; private set; }

    static string Key(ReadOnlySpan<int> upstream) => string.Join(",", upstream.ToArray());

    /// <summary>
    /// Runs the pilot on the examples (first-block inputs, labels, global indices from <paramref name="firstIndex"/>) for
    /// the given upstream sample counts (each (G₀, …, G_{B−2}); empty arrays for a one-block network). τ_B is
    /// <paramref name="lastBlockTau"/> when known, else estimated from the first 16 examples (<see cref="EstimateTau"/>):
    /// a shard of a larger example set passes the τ_B of a pilot of that set's first batch, so that shards merge to the whole run.
    /// </summary>
    public static PilotModel Fit(BlockPipeline pipeline, sbyte[] inputs, int[] labels, long firstIndex, IEnumerable<int[]> upstream,
        PilotOptions? options = null, Action<string>? progress = null, double? lastBlockTau = null)
    {
        options ??= new PilotOptions();
        var combos = upstream.Select(u => (int[])u.Clone()).DistinctBy(u => Key(u)).ToList();
        if (combos.Count == 0) throw new ArgumentException("the pilot needs at least one upstream schedule");
        foreach (var u in combos)
            if (u.Length != pipeline.Blocks - 1 || u.Any(g => g < 1))
                throw new ArgumentException($"upstream schedule [{string.Join(",", u)}] must give G ≥ 1 for each of the {pipeline.Blocks - 1} upstream blocks");
        if (options.Draws < 1 || options.PoolSamples < 1 || options.LastBlockSamples < 2 || options.BurnIn < 0)
            throw new ArgumentException("pilot needs draws ≥ 1, pool samples ≥ 1, last-block samples ≥ 2 and burn-in ≥ 0");
        var model = new PilotModel(pipeline, options, labels);
        int n = labels.Length, width = pipeline.InputWidth(0);
        if (inputs.Length != (long)n * width) throw new ArgumentException($"inputs hold {inputs.Length} values, {n} examples need {n * width}");
        int per = model.draws * model.sweeps * model.classes;
        long bytes = (long)combos.Count * n * per;
        long budget = options.MaxTraceBytes > 0 ? options.MaxTraceBytes : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;
        if (bytes > budget)
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"the pilot would keep {bytes / 1e9:0.0} GB of last-block traces ({combos.Count} upstream schedules × {n} examples × {model.draws} draws × " +
                $"{model.sweeps} sweeps × {model.classes} classes), more than the {budget / 1e9:0.0} GB allowed: give fewer upstream G values " +
                $"(the schedules are every combination of them over the {pipeline.Blocks - 1} upstream blocks), fewer examples or fewer draws"));
        foreach (var u in combos) model.traces[Key(u)] = new sbyte[(long)n * per];
        for (int start = 0; start < n; start += options.Batch)
        {
            int count = Math.Min(options.Batch, n - start);
            model.FitBatch(inputs.AsSpan(start * width, count * width).ToArray(), start, count, firstIndex, combos);
            progress?.Invoke($"pilot {start + count}/{n} examples");
        }
        model.LastBlockTau = lastBlockTau ?? model.EstimateTau(model.tauInputs, firstIndex * 1_000_003L + 7);
        return model;
    }

    sealed record DrawRow(int Example, int Draw, sbyte[] Spins);

    void FitBatch(sbyte[] x0, int start, int count, long firstIndex, List<int[]> combos)
    {
        int b0 = 0, blocks = pipeline.Blocks;
        var lastRows = new List<(string Key, int Example, int Draw, sbyte[] Spins)>();
        if (blocks == 1)
        {
            for (int i = 0; i < count; i++)
                for (int r = 0; r < draws; r++) lastRows.Add((Key([]), start + i, r, x0.AsSpan(i * pipeline.InputWidth(0), pipeline.InputWidth(0)).ToArray()));
            RunLast(lastRows, firstIndex);
            return;
        }
        // Block 0: one run, L₀ samples kept per output spin.
        var trace = new TraceObserver([BlockPipeline.OutputLayer], includeBurnIn: false);
        int chains = poolChains;
        var request = new SamplingRequest(new InputBatch(x0, count, pipeline.InputWidth(b0), firstIndex + start), chains,
            new Schedule(options.BurnIn, options.PoolSamples), BlockPipeline.BlockSeed(options.Seed, b0));
        pipeline.Sampler(b0).Run(request, trace);
        PilotSpinUpdates += Schedule.SpinUpdates(pipeline.FreeSpins[b0], options.BurnIn + options.PoolSamples, (long)count * chains);
        int outs = pipeline.OutputSize(b0);
        foreach (var byG0 in combos.GroupBy(u => u[0]))
        {
            int g0 = byG0.Key;
            var rows = new List<DrawRow>();
            for (int i = 0; i < count; i++)
            {
                var drawn = DrawFromPool(trace, Enumerable.Range(0, firstDraws).Select(r => r % chains).ToArray(), i, outs, g0,
                    Philox.Stream((ulong)(firstIndex + start + i), 0x5EED0000UL + (ulong)g0));
                for (int r = 0; r < firstDraws; r++) rows.Add(new DrawRow(start + i, r, drawn[r]));
            }
            DrawThroughBlock(1, rows, byG0.ToList(), [g0], firstIndex, lastRows);
        }
        RunLast(lastRows, firstIndex);
    }

    /// <summary>
    /// Sign-averages of g samples drawn from a pool of recorded chains (one draw per entry of <paramref name="chainOfDraw"/>):
    /// for g ≤ pool length a window of g consecutive samples at a random offset, else independent spins from the binomial tail
    /// under the Beta(½ + plus, ½ + minus) posterior of each spin's magnetisation over all the slot's chains. Fair ties.
    /// </summary>
    sbyte[][] DrawFromPool(TraceObserver trace, int[] chainOfDraw, int slot, int outs, int g, ulong stream)
    {
        int pool = trace.Sweeps, nd = chainOfDraw.Length;
        var x = new sbyte[nd][];
        for (int r = 0; r < nd; r++) x[r] = new sbyte[outs];
        if (g <= pool)
        {
            // Windows of g consecutive pool sweeps at random offsets: the statistic the machine computes, with the
            // chain's temporal and spatial correlations intact (the pool is stationary after burn-in).
            var offset = new int[nd];
            for (int r = 0; r < nd; r++) offset[r] = (int)(Philox.Uniform(options.Seed, Philox.Stream(stream, (ulong)r), 0) * (pool - g + 1));
            for (int k = 0; k < outs; k++)
                for (int r = 0; r < nd; r++)
                {
                    var sr = trace.Series(slot, chainOfDraw[r], k);
                    int sum = 0;
                    for (int j = offset[r]; j < offset[r] + g; j++) sum += sr[j];
                    x[r][k] = sum > 0 || (sum == 0 && Philox.Uniform(options.Seed, Philox.Stream(stream, (ulong)r, StreamTag.TieBreak), (ulong)k) < 0.5f) ? (sbyte)1 : (sbyte)-1;
                }
            return x;
        }
        var chains = chainOfDraw.Distinct().ToArray();
        var cache = new Dictionary<int, double>();
        for (int k = 0; k < outs; k++)
        {
            int plus = 0;
            foreach (int c in chains)
            {
                var sr = trace.Series(slot, c, k);
                for (int j = 0; j < pool; j++) if (sr[j] > 0) plus++;
            }
            if (!cache.TryGetValue(plus, out double q)) cache[plus] = q = SignAverage.PlusProbabilityPosterior(plus, pool * chains.Length, g, 0.5, 0.5);
            for (int r = 0; r < nd; r++) x[r][k] = Philox.Uniform(options.Seed, Philox.Stream(stream, (ulong)r), (ulong)(1 + k)) < q ? (sbyte)1 : (sbyte)-1;
        }
        return x;
    }

    /// <summary>
    /// Draws block <paramref name="block"/>'s outputs for every row and every G_b of <paramref name="combos"/>, and recurses
    /// into the next block with them as inputs; at the last block the rows are kept for the last-block runs.
    /// </summary>
    void DrawThroughBlock(int block, List<DrawRow> rows, List<int[]> combos, int[] prefix, long firstIndex, List<(string, int, int, sbyte[])> lastRows)
    {
        if (block == pipeline.Blocks - 1)
        {
            string key = Key(prefix);
            foreach (var row in rows) lastRows.Add((key, row.Example, row.Draw, row.Spins));
            return;
        }
        if (!options.MeanFieldIntermediate)
        {
            DrawThroughBlockByGibbs(block, rows, combos, prefix, firstIndex, lastRows);
            return;
        }
        // Intermediate block with random inputs: mean-field magnetisations, then independent binomial signs.
        var net = pipeline.Net.Blocks[block];
        int inW = pipeline.InputWidth(block), outs = pipeline.OutputSize(block);
        var m = new float[rows.Count * outs];
        using (GradMode.NoGrad())
        {
            const int chunk = 64;
            for (int a = 0; a < rows.Count; a += chunk)
            {
                int c = Math.Min(chunk, rows.Count - a);
                using var scope = new TensorScope();
                var x = Tensor.Empty([c, .. net.InputShape]);
                for (int r = 0; r < c; r++)
                    for (int k = 0; k < inW; k++) x.Data[r * inW + k] = rows[a + r].Spins[k];
                var mo = net.Surrogate(x, options.MeanFieldIterations, true, out _);
                mo.Data.AsSpan(0, c * outs).CopyTo(m.AsSpan(a * outs));
            }
        }
        foreach (var byG in combos.GroupBy(u => u[block]))
        {
            int g = byG.Key;
            var table = SignAverage.Table(g);
            var next = new List<DrawRow>(rows.Count);
            for (int r = 0; r < rows.Count; r++)
            {
                ulong stream = Philox.Stream((ulong)(firstIndex + rows[r].Example), (ulong)rows[r].Draw, PathKey(prefix, block, g));
                var s = new sbyte[outs];
                for (int k = 0; k < outs; k++)
                    s[k] = Philox.Uniform(options.Seed, stream, (ulong)k) < table.At(m[r * outs + k]) ? (sbyte)1 : (sbyte)-1;
                next.Add(new DrawRow(rows[r].Example, rows[r].Draw, s));
            }
            DrawThroughBlock(block + 1, next, byG.ToList(), [.. prefix, g], firstIndex, lastRows);
        }
    }

    /// <summary>
    /// Intermediate block by Gibbs: one chain of T + L samples per drawn input (all rows in one run, with chain keys unique to
    /// this block and upstream prefix), then for each G_b windows of its pool feed the next block; the last intermediate
    /// block multiplies each row into R/R₁ draws.
    /// </summary>
    void DrawThroughBlockByGibbs(int block, List<DrawRow> rows, List<int[]> combos, int[] prefix, long firstIndex, List<(string, int, int, sbyte[])> lastRows)
    {
        int inW = pipeline.InputWidth(block), outs = pipeline.OutputSize(block);
        var x = new sbyte[(long)rows.Count * inW];
        for (int r = 0; r < rows.Count; r++) rows[r].Spins.CopyTo(x, (long)r * inW);
        // 39 random bits keyed by the batch's first global example, then the row: a batch of the same examples gets the
        // same chains whichever shard of the example set runs it.
        long baseIndex = (long)(PathKey(prefix, block, (int)(firstIndex + rows[0].Example)) >> 25) << 20;
        var trace = new TraceObserver([BlockPipeline.OutputLayer], includeBurnIn: false);
        pipeline.Sampler(block).Run(new SamplingRequest(new InputBatch(x, rows.Count, inW, baseIndex), 1,
            new Schedule(options.BurnIn, options.PoolSamples), BlockPipeline.BlockSeed(options.Seed, block)), trace);
        PilotSpinUpdates += Schedule.SpinUpdates(pipeline.FreeSpins[block], options.BurnIn + options.PoolSamples, rows.Count);
        int fan = block == pipeline.Blocks - 2 ? draws / firstDraws : 1;
        foreach (var byG in combos.GroupBy(u => u[block]))
        {
            int g = byG.Key;
            var next = new List<DrawRow>(rows.Count * fan);
            for (int r = 0; r < rows.Count; r++)
            {
                var drawn = DrawFromPool(trace, new int[fan], r, outs, g, Philox.Stream((ulong)(firstIndex + rows[r].Example), (ulong)rows[r].Draw, PathKey(prefix, block, g)));
                for (int j = 0; j < fan; j++) next.Add(new DrawRow(rows[r].Example, rows[r].Draw * fan + j, drawn[j]));
            }
            DrawThroughBlock(block + 1, next, byG.ToList(), [.. prefix, g], firstIndex, lastRows);
        }
    }

    /// <summary>The Philox key of an upstream path: block, its G, and the G of every block before it.</summary>
    static ulong PathKey(int[] prefix, int block, int g)
    {
        ulong h = Philox.Stream((ulong)block, (ulong)g, StreamTag.PilotPath);
        foreach (int p in prefix) h = Philox.Stream(h, (ulong)p);
        return h;
    }

    void RunLast(List<(string Key, int Example, int Draw, sbyte[] Spins)> rows, long firstIndex)
    {
        if (rows.Count == 0) return;
        int last = pipeline.Blocks - 1, width = pipeline.InputWidth(last);
        var keys = traces.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        var keyIndex = keys.Select((k, i) => (k, i)).ToDictionary(t => t.k, t => t.i, StringComparer.Ordinal);
        // Every (example, upstream schedule, draw) is its own chain with global input index
        // ((firstIndex + example)·K + key)·R + draw; a batch of consecutive examples covers a consecutive index range.
        var sorted = rows.OrderBy(r => r.Example).ThenBy(r => keyIndex[r.Key]).ThenBy(r => r.Draw).ToList();
        foreach (var row in sorted)
            if (tauInputs.Count < 16 && row.Draw == 0 && keyIndex[row.Key] == 0) tauInputs.Add(row.Spins);
        int firstExample = sorted[0].Example;
        for (int j = 0; j < sorted.Count; j++)
        {
            var row = sorted[j];
            long expected = ((long)(row.Example - firstExample) * keys.Count + keyIndex[row.Key]) * draws + row.Draw;
            if (expected != j) throw new InvalidOperationException("pilot rows do not cover every upstream schedule and draw of the batch");
        }
        var x = new sbyte[(long)sorted.Count * width];
        for (int j = 0; j < sorted.Count; j++) sorted[j].Spins.CopyTo(x, (long)j * width);
        var observer = new GroupTraceObserver(BlockPipeline.OutputLayer, GroupTraceObserver.Populations(classes, pipeline.Population));
        long first = (firstIndex + firstExample) * keys.Count * draws;
        pipeline.Sampler(last).Run(new SamplingRequest(new InputBatch(x, sorted.Count, width, first), 1,
            new Schedule(options.BurnIn, options.LastBlockSamples), BlockPipeline.BlockSeed(options.Seed, last)), observer);
        int per = draws * sweeps * classes;
        for (int j = 0; j < sorted.Count; j++)
        {
            var row = sorted[j];
            var dst = traces[row.Key].AsSpan((int)((long)row.Example * per + (long)row.Draw * sweeps * classes), sweeps * classes);
            var src = observer.Chain(j, 0);
            for (int k = 0; k < dst.Length; k++) dst[k] = (sbyte)src[k];
        }
        PilotSpinUpdates += Schedule.SpinUpdates(pipeline.FreeSpins[last], sweeps, rows.Count);
    }

    /// <summary>
    /// τ_B of the last block's class sums from long chains (the pilot's own 32-sample runs are too short: centring each on
    /// its mean biases τ̂ by −(2M + 1)/32): 4 chains × 256 sweeps on up to 16 inputs of the first upstream schedule.
    /// </summary>
    double EstimateTau(List<sbyte[]> inputs, long firstIndex)
    {
        if (inputs.Count == 0) return 1;
        int last = pipeline.Blocks - 1, width = pipeline.InputWidth(last);
        var x = new sbyte[inputs.Count * width];
        for (int i = 0; i < inputs.Count; i++) inputs[i].CopyTo(x, i * width);
        var groups = GroupTraceObserver.Populations(classes, pipeline.Population);
        var ac = ChainAutocorrelation.Measure(pipeline.Sampler(last), new InputBatch(x, inputs.Count, width, firstIndex), BlockPipeline.OutputLayer,
            4, options.BurnIn, 256, Philox.Stream(options.Seed, 0x7A0), groups);
        PilotSpinUpdates += Schedule.SpinUpdates(pipeline.FreeSpins[last], options.BurnIn + 256, 4L * inputs.Count);
        double num = 0, den = 0;
        foreach (var g in ac.Groups) { num += g.Variance * g.Tau; den += g.Variance; }
        return den > 0 ? Math.Max(1, num / den) : 1;
    }

    /// <summary>
    /// The variance U that the upstream sign-averages of (G₀, …, G_{B−2}) add to the last block's mean class-sum
    /// difference between an example's two leading classes: per example the spread of that difference across draws
    /// minus its within-run sampling variance, averaged over examples (≥ 0). Used by <see cref="AdaptiveSampler"/>.
    /// </summary>
    public double UpstreamVariance(int[] upstream)
    {
        if (!traces.TryGetValue(Key(upstream), out var t)) throw new ArgumentException($"the pilot did not cover upstream samples ({Key(upstream)})");
        int n = options.LastBlockSamples;
        if (draws < 2) return 0;
        double total = 0;
        var mean = new double[classes];
        var d = new double[draws];
        for (int i = 0; i < labels.Length; i++)
        {
            Array.Clear(mean);
            for (int r = 0; r < draws; r++)
                for (int s = options.BurnIn; s < sweeps; s++)
                    for (int c = 0; c < classes; c++) mean[c] += t[((i * draws + r) * sweeps + s) * classes + c];
            int a = BlockPipeline.ArgMax(mean), b = a == 0 ? 1 : 0;
            for (int c = 0; c < classes; c++) if (c != a && mean[c] > mean[b]) b = c;
            double within = 0;
            for (int r = 0; r < draws; r++)
            {
                double sum = 0, sq = 0;
                for (int s = options.BurnIn; s < sweeps; s++)
                {
                    int row = ((i * draws + r) * sweeps + s) * classes;
                    double v = t[row + a] - t[row + b];
                    sum += v; sq += v * v;
                }
                d[r] = sum / n;
                within += (sq - n * d[r] * d[r]) / (n - 1) * LastBlockTau / n;
            }
            double dm = d.Average(), between = d.Sum(v => (v - dm) * (v - dm)) / (draws - 1);
            total += Math.Max(0, between - within / draws);
        }
        return total / labels.Length;
    }

    /// <inheritdoc/>
    public double PredictAccuracy(BlockSchedule schedule) => PredictPerExample(schedule).Average();

    /// <summary>
    /// Predicted accuracy with its statistical error from the pilot's own randomness: the draws of an example come from K
    /// independent first-block chains (draw r from chain r mod K), so the spread of the per-chain means estimates the
    /// variance of P̂_i; SE = √(Σ_i s_i²/K)/N.
    /// </summary>
    public (double Accuracy, double StandardError) PredictWithError(BlockSchedule schedule)
    {
        var (mean, variance) = PredictPerExampleWithVariance(schedule);
        return Aggregate(mean, variance, poolChains);
    }

    /// <summary>
    /// Per example i, the prediction P̂_i (the mean of its K per-chain means) and its variance term s_i²/K (0 for K = 1):
    /// the sums <see cref="Aggregate"/> turns into the accuracy and its error, so that shards of an example set merge exactly.
    /// </summary>
    public (double[] Mean, double[] Variance) PredictPerExampleWithVariance(BlockSchedule schedule)
    {
        var perDraw = PredictPerDraw(schedule);
        int k = poolChains, fan = draws / firstDraws;
        var mean = new double[labels.Length];
        var variance = new double[labels.Length];
        var chainMean = new double[k];
        var counts = new int[k];
        for (int i = 0; i < labels.Length; i++)
        {
            Array.Clear(chainMean);
            Array.Clear(counts);
            for (int r = 0; r < draws; r++) { int c = r / fan % k; chainMean[c] += perDraw[i * draws + r]; counts[c]++; }
            for (int c = 0; c < k; c++) chainMean[c] /= counts[c];
            double m = chainMean.Average();
            mean[i] = m;
            if (k > 1) variance[i] = chainMean.Sum(v => (v - m) * (v - m)) / (k - 1) / k;
        }
        return (mean, variance);
    }

    /// <summary>Independent first-block chains K per example (draw r uses chain r mod K); one chain gives no error estimate.</summary>
    public int PoolChains => poolChains;

    /// <summary>Accuracy Σ_i P̂_i / N and its standard error √(Σ_i s_i²/K) / N (NaN for K = 1), summed in example order.</summary>
    public static (double Accuracy, double StandardError) Aggregate(IReadOnlyList<double> mean, IReadOnlyList<double> variance, int chains)
    {
        if (mean.Count != variance.Count) throw new ArgumentException($"{mean.Count} means but {variance.Count} variance terms");
        double total = 0, sum = 0;
        for (int i = 0; i < mean.Count; i++) { total += mean[i]; sum += variance[i]; }
        return (total / mean.Count, chains > 1 ? Math.Sqrt(sum) / mean.Count : double.NaN);
    }

    /// <summary>P_i(correct) of every pilot example under <paramref name="schedule"/>.</summary>
    public double[] PredictPerExample(BlockSchedule schedule)
    {
        var perDraw = PredictPerDraw(schedule);
        var p = new double[labels.Length];
        for (int i = 0; i < p.Length; i++)
        {
            double a = 0;
            for (int r = 0; r < draws; r++) a += perDraw[i * draws + r];
            p[i] = a / draws;
        }
        return p;
    }

    double[] PredictPerDraw(BlockSchedule schedule)
    {
        if (schedule.Blocks != pipeline.Blocks) throw new ArgumentException($"schedule {schedule} has {schedule.Blocks} blocks, the network {pipeline.Blocks}");
        int last = pipeline.Blocks - 1;
        for (int b = 0; b < last; b++)
            if (schedule.BurnIn[b] != options.BurnIn)
                throw new ArgumentException($"schedule {schedule}: block {b} burn-in must be the pilot's {options.BurnIn}");
        if (schedule.BurnIn[last] > options.BurnIn) throw new ArgumentException($"schedule {schedule}: last-block burn-in must be ≤ the pilot's {options.BurnIn}");
        string key = Key(schedule.Samples.AsSpan(0, last));
        if (!traces.TryGetValue(key, out var t))
            throw new ArgumentException($"the pilot did not cover upstream samples ({key}); covered: {string.Join(" ", traces.Keys.Select(k => $"({k})"))}");
        int tb = schedule.BurnIn[last], gb = schedule.Samples[last];
        var p = new double[labels.Length * draws];
        var sums = new double[classes];
        for (int i = 0; i < labels.Length; i++)
            for (int r = 0; r < draws; r++)
            {
                var tr = t.AsSpan((i * draws + r) * sweeps * classes, sweeps * classes);
                p[i * draws + r] = tb + gb <= sweeps ? ExactCorrect(tr, tb, gb, labels[i], sums) : GaussianCorrect(tr, tb, gb, labels[i]);
            }
        return p;
    }

    double ExactCorrect(ReadOnlySpan<sbyte> tr, int tb, int gb, int label, double[] sums)
    {
        Array.Clear(sums);
        for (int s = tb; s < tb + gb; s++)
            for (int c = 0; c < classes; c++) sums[c] += tr[s * classes + c];
        return BlockPipeline.ArgMax(sums) == label ? 1 : 0;
    }

    double GaussianCorrect(ReadOnlySpan<sbyte> tr, int tb, int gb, int label)
    {
        int n = sweeps - tb;
        double prior = 2.0 * pipeline.Population, prob = 1;
        for (int c = 0; c < classes; c++)
        {
            if (c == label) continue;
            double sum = 0, sq = 0;
            for (int s = tb; s < sweeps; s++)
            {
                double d = tr[s * classes + label] - tr[s * classes + c];
                sum += d; sq += d * d;
            }
            double mean = sum / n, v = (Math.Max(0, sq - n * mean * mean) + prior) / n;
            prob *= Gaussian.Cdf(mean * Math.Sqrt(gb / (v * LastBlockTau)));
        }
        return prob;
    }
}
