namespace Thermo.Sampling;

/// <summary>
/// One contribution to a layer's local fields, in the gather form every layered coupling reduces to:
/// field[TargetBase[p] + o] += Σ_taps Σ_{c&lt;SourceChannels} Weights[tap, c, o] · spins[SourceBase[p] + TapOffset[tap] + c]
/// for positions p and o &lt; TargetChannels. A convolution is one op (taps = kernel offsets); its transpose is one op per
/// stride phase; a dense block is one op with a single target position.
/// </summary>
internal sealed class GatherOp
{
    public required int Target { get; init; }
    public required int Source { get; init; }
    public required int[] TargetBase { get; init; }
    public required int[] SourceBase { get; init; }
    public required int[] TapOffset { get; init; }
    /// <summary>[tap][SourceChannels][TargetChannels], already scaled by the temperature gradient; 64-byte aligned.</summary>
    public required AlignedArray<float> Weights { get; init; }
    /// <summary>Channels per source position (padded to a multiple of 16 where the kernels need it).</summary>
    public required int SourceChannels { get; init; }
    /// <summary>Channels per target position (the field's padded channel count).</summary>
    public required int TargetChannels { get; init; }
    public required string Name { get; init; }

    /// <summary>Multiply-adds of one full application.</summary>
    public long FullCost => (long)TargetBase.Length * TapOffset.Length * SourceChannels * TargetChannels;

    FlipPlan? flipPlan;

    /// <summary>The op inverted for flip-driven updates (built on first use).</summary>
    public FlipPlan Flips => flipPlan ??= new FlipPlan(this);

    /// <summary>
    /// The op inverted: source positions grouped into classes that share the same set of taps with a valid
    /// target (for a stride-s convolution, one class per stride phase, plus border variants), and for each
    /// (class, tap, position) the target's field offset. Flip-driven updates walk a class's flips once per tap
    /// with that tap's weights hot in L1, without data-dependent branches.
    /// </summary>
    internal sealed class FlipPlan
    {
        public Class[] Classes { get; }
        /// <summary>Largest number of source positions in a class.</summary>
        public int MaxPositions { get; }

        internal sealed class Class
        {
            public required int[] SourceOffset { get; init; }
            public required int[] Taps { get; init; }
            /// <summary>[tap index within class][position within class] → target field offset.</summary>
            public required int[][] Target { get; init; }
        }

        public FlipPlan(GatherOp op)
        {
            var targets = new SortedDictionary<int, SortedDictionary<int, int>>(); // source offset → tap → target
            for (int p = 0; p < op.TargetBase.Length; p++)
                for (int t = 0; t < op.TapOffset.Length; t++)
                {
                    int so = op.SourceBase[p] + op.TapOffset[t];
                    if (!targets.TryGetValue(so, out var byTap)) targets[so] = byTap = new SortedDictionary<int, int>();
                    if (byTap.ContainsKey(t)) throw new InvalidOperationException($"{op.Name}: tap {t} reads source {so} for two targets");
                    byTap[t] = op.TargetBase[p];
                }
            var classes = new Dictionary<string, List<int>>();
            foreach (var (so, byTap) in targets)
            {
                string key = string.Join(",", byTap.Keys);
                if (!classes.TryGetValue(key, out var list)) classes[key] = list = new List<int>();
                list.Add(so);
            }
            Classes = classes.Values.Select(list =>
            {
                var taps = targets[list[0]].Keys.ToArray();
                return new Class
                {
                    SourceOffset = list.ToArray(),
                    Taps = taps,
                    Target = taps.Select(t => list.Select(so => targets[so][t]).ToArray()).ToArray(),
                };
            }).ToArray();
            MaxPositions = Classes.Max(c => c.SourceOffset.Length);
        }
    }
}
