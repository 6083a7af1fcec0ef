using Thermo.Ising;

namespace Thermo.Sampling;

/// <summary>
/// How the layered samplers run a program whose colouring is by layer parity and whose couplings are dense
/// or convolutional: a <see cref="LayerLayout"/> per layer and the <see cref="GatherOp"/>s that make up each
/// free layer's field (constant ones, from input layers, are evaluated once per input).
/// </summary>
internal sealed class LayeredPlan
{
    public IsingProgram Program { get; }
    public LayerLayout[] Layouts { get; }
    public GatherOp[] Ops { get; }
    /// <summary>Per layer: ops into it whose source is free (recomputed every update).</summary>
    public GatherOp[][] VariableOps { get; }
    /// <summary>Per layer: ops into it whose source is an input layer (part of the constant field).</summary>
    public GatherOp[][] ConstantOps { get; }
    /// <summary>Per layer: ops out of it into free layers.</summary>
    public GatherOp[][] OpsFrom { get; }
    /// <summary>Per layer: scaled bias in field layout, or null.</summary>
    public float[]?[] Bias { get; }
    public int[][] ColourLayers { get; }

    /// <summary>Largest sign-pattern table built per op (bytes); bigger ops keep the multiply-add kernel.</summary>
    public const long MaxTableBytes = 64L << 20;

    Dictionary<GatherOp, TableOp?>? tables;

    /// <summary>The sign-pattern table of a variable op, or null when it would exceed <see cref="MaxTableBytes"/>.</summary>
    public TableOp? Table(GatherOp op)
    {
        lock (this)
        {
            tables ??= new Dictionary<GatherOp, TableOp?>();
            if (!tables.TryGetValue(op, out var t))
            {
                long bytes = (long)op.TapOffset.Length * op.SourceChannels * 4 * op.TargetChannels * 4;
                var src = Layouts[op.Source];
                // Single-target (dense) ops are cheap with multiply-adds and their tables would crowd the cache.
                tables[op] = t = bytes <= MaxTableBytes && op.TargetBase.Length > 1 && !src.IsInput ? new TableOp(op, src.IsInterior) : null;
            }
            return t;
        }
    }

    /// <summary>Why <paramref name="program"/> cannot run on the layered samplers, or null when it can.</summary>
    public static string? Unsupported(IsingProgram program)
    {
        if (program.Colouring.Kind != ColouringKind.LayerParity) return "its colouring is per spin (not by layer parity)";
        foreach (var c in program.Couplings)
            if (c is SparseCoupling) return "it has sparse couplings";
        return null;
    }

    public LayeredPlan(IsingProgram program)
    {
        if (Unsupported(program) is { } why) throw new NotSupportedException($"the layered samplers cannot run this program: {why}; use the reference sampler");
        Program = program;
        int n = program.Layers.Count;
        Layouts = new LayerLayout[n];
        for (int l = 0; l < n; l++) Layouts[l] = new LayerLayout(program.Layers[l], l, program.LayerOffsets[l]);
        foreach (var c in program.Couplings)
            if (c is ConvCoupling conv) SetBorders(conv);

        var ops = new List<GatherOp>();
        foreach (var c in program.Couplings)
        {
            float scale = program.CouplingScale(c);
            switch (c)
            {
                case ConvCoupling conv:
                    if (!program.Layers[conv.Upper].IsInput) ops.Add(ConvForward(conv, scale));
                    if (!program.Layers[conv.Lower].IsInput) ops.AddRange(ConvTransposed(conv, scale));
                    break;
                case DenseCoupling dense:
                    if (!program.Layers[dense.Upper].IsInput) ops.Add(Dense(dense, scale, forward: true));
                    if (!program.Layers[dense.Lower].IsInput) ops.Add(Dense(dense, scale, forward: false));
                    break;
            }
        }
        Ops = ops.ToArray();
        VariableOps = new GatherOp[n][];
        ConstantOps = new GatherOp[n][];
        OpsFrom = new GatherOp[n][];
        Bias = new float[]?[n];
        for (int l = 0; l < n; l++)
        {
            VariableOps[l] = Ops.Where(o => o.Target == l && !Layouts[o.Source].IsInput).ToArray();
            ConstantOps[l] = Ops.Where(o => o.Target == l && Layouts[o.Source].IsInput).ToArray();
            OpsFrom[l] = Ops.Where(o => o.Source == l).ToArray();
            if (program.Bias(l) is { } b && !Layouts[l].IsInput)
            {
                var lay = Layouts[l];
                var f = new float[lay.FieldLength];
                float s = program.FieldScale(l);
                for (int c = 0; c < lay.C; c++)
                    for (int y = 0; y < lay.H; y++)
                        for (int x = 0; x < lay.W; x++) f[lay.FieldIndex(c, y, x)] = s * b[lay.Canonical(c, y, x)];
                Bias[l] = f;
            }
        }
        ColourLayers = program.Colouring.LayerClasses.Select(c => c.ToArray()).ToArray();

        var layerOf = program.LayerOfSpin();
        foreach (var lay in Layouts)
        {
            var pins = Enumerable.Range(0, program.PinnedSpins.Length).Where(k => layerOf[program.PinnedSpins[k]] == lay.Index).ToArray();
            lay.PinnedInternal = pins.Select(k =>
            {
                int local = program.PinnedSpins[k] - lay.Offset, c = local / (lay.H * lay.W), y = local / lay.W % lay.H, x = local % lay.W;
                return lay.SpinIndex(c, y, x);
            }).ToArray();
            lay.PinnedValues = pins.Select(k => (float)program.PinnedValues[k]).ToArray();
        }
    }

    void SetBorders(ConvCoupling conv)
    {
        LayerLayout lo = Layouts[conv.Lower], up = Layouts[conv.Upper];
        int k = conv.Kernel, s = conv.Stride, p = conv.Padding;
        // Forward: the lower layer is read at y'·s + i − p.
        lo.Border = Math.Max(lo.Border, Math.Max(Reach(up.H, lo.H), Reach(up.W, lo.W)));
        int Reach(int outSize, int inSize)
        {
            int min = 0, max = inSize - 1;
            for (int y = 0; y < outSize; y++) for (int i = 0; i < k; i++) { int v = y * s + i - p; min = Math.Min(min, v); max = Math.Max(max, v); }
            return Math.Max(-min, max - (inSize - 1));
        }
        // Transposed: the upper layer is read at (y + p − i)/s where that divides.
        up.Border = Math.Max(up.Border, Math.Max(ReachT(lo.H, up.H), ReachT(lo.W, up.W)));
        int ReachT(int lowerSize, int upperSize)
        {
            int min = 0, max = upperSize - 1;
            for (int y = 0; y < lowerSize; y++)
                for (int i = 0; i < k; i++)
                {
                    int v = y + p - i;
                    if (((v % s) + s) % s != 0) continue;
                    min = Math.Min(min, v / s); max = Math.Max(max, v / s);
                }
            return Math.Max(-min, max - (upperSize - 1));
        }
    }

    GatherOp ConvForward(ConvCoupling conv, float scale)
    {
        LayerLayout lo = Layouts[conv.Lower], up = Layouts[conv.Upper];
        int k = conv.Kernel, s = conv.Stride, p = conv.Padding;
        var tb = new List<int>(); var sb = new List<int>();
        for (int y = 0; y < up.H; y++)
            for (int x = 0; x < up.W; x++) { tb.Add(up.FieldIndex(0, y, x)); sb.Add(lo.SpinIndex(0, y * s, x * s)); }
        var taps = new int[k * k];
        var w = new float[k * k * lo.Cp * up.Cp];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                int t = i * k + j;
                taps[t] = ((i - p) * lo.PaddedW + (j - p)) * lo.Cp;
                for (int c = 0; c < lo.C; c++)
                    for (int o = 0; o < up.C; o++)
                        w[((long)t * lo.Cp + c) * up.Cp + o] = scale * conv.Weight[((o * lo.C + c) * k + i) * k + j];
            }
        return new GatherOp { Target = conv.Upper, Source = conv.Lower, TargetBase = tb.ToArray(), SourceBase = sb.ToArray(), TapOffset = taps, Weights = AlignedArray<float>.From(w), SourceChannels = lo.Cp, TargetChannels = up.Cp, Name = $"conv {conv.Lower}→{conv.Upper}" };
    }

    IEnumerable<GatherOp> ConvTransposed(ConvCoupling conv, float scale)
    {
        LayerLayout lo = Layouts[conv.Lower], up = Layouts[conv.Upper];
        int k = conv.Kernel, s = conv.Stride, p = conv.Padding;
        for (int py = 0; py < s; py++)
            for (int px = 0; px < s; px++)
            {
                var tb = new List<int>(); var sb = new List<int>();
                for (int q = 0; py + q * s < lo.H; q++)
                    for (int r = 0; px + r * s < lo.W; r++) { tb.Add(lo.FieldIndex(0, py + q * s, px + r * s)); sb.Add(up.SpinIndex(0, q, r)); }
                var tapIJ = new List<(int I, int J)>();
                for (int i = 0; i < k; i++)
                    for (int j = 0; j < k; j++)
                        if (Divides(py + p - i) && Divides(px + p - j)) tapIJ.Add((i, j));
                if (tb.Count == 0 || tapIJ.Count == 0) continue;
                var taps = new int[tapIJ.Count];
                var w = new float[tapIJ.Count * up.Cp * lo.Cp];
                for (int t = 0; t < tapIJ.Count; t++)
                {
                    var (i, j) = tapIJ[t];
                    taps[t] = (((py + p - i) / s) * up.PaddedW + (px + p - j) / s) * up.Cp;
                    for (int o = 0; o < up.C; o++)
                        for (int c = 0; c < lo.C; c++)
                            w[((long)t * up.Cp + o) * lo.Cp + c] = scale * conv.Weight[((o * lo.C + c) * k + i) * k + j];
                }
                yield return new GatherOp { Target = conv.Lower, Source = conv.Upper, TargetBase = tb.ToArray(), SourceBase = sb.ToArray(), TapOffset = taps, Weights = AlignedArray<float>.From(w), SourceChannels = up.Cp, TargetChannels = lo.Cp, Name = $"convᵀ {conv.Upper}→{conv.Lower} phase ({py},{px})" };
            }
        bool Divides(int v) => ((v % s) + s) % s == 0;
    }

    GatherOp Dense(DenseCoupling dense, float scale, bool forward)
    {
        LayerLayout src = Layouts[forward ? dense.Lower : dense.Upper], dst = Layouts[forward ? dense.Upper : dense.Lower];
        int lowerSize = Layouts[dense.Lower].Size;
        int taps = src.H * src.W, ct = dst.FieldLength;
        var tapOff = new int[taps];
        var w = new float[(long)taps * src.Cp * ct];
        for (int y = 0; y < src.H; y++)
            for (int x = 0; x < src.W; x++)
            {
                int t = y * src.W + x;
                tapOff[t] = src.SpinIndex(0, y, x);
                for (int c = 0; c < src.C; c++)
                {
                    int a = src.Canonical(c, y, x);
                    for (int dc = 0; dc < dst.C; dc++)
                        for (int dy = 0; dy < dst.H; dy++)
                            for (int dx = 0; dx < dst.W; dx++)
                            {
                                int b = dst.Canonical(dc, dy, dx);
                                // Weight is [upper, lower].
                                float v = forward ? dense.Weight[(long)b * lowerSize + a] : dense.Weight[(long)a * lowerSize + b];
                                w[((long)t * src.Cp + c) * ct + dst.FieldIndex(dc, dy, dx)] = scale * v;
                            }
                }
            }
        return new GatherOp { Target = dst.Index, Source = src.Index, TargetBase = [0], SourceBase = [0], TapOffset = tapOff, Weights = AlignedArray<float>.From(w), SourceChannels = src.Cp, TargetChannels = ct, Name = $"dense{(forward ? "" : "ᵀ")} {src.Index}→{dst.Index}" };
    }
}
