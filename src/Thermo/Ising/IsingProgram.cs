namespace Thermo.Ising;

/// <summary>
/// What an Ising machine is asked to sample: spins s_i ∈ {−1, +1} arranged in layers, drawn from
/// P(s) ∝ exp(−β E(s)) with E(s) = −Σ_{i&lt;j} J_ij s_i s_j − Σ_i h_i s_i, so a single spin given the rest is
/// P(s_i = +1 | rest) = σ(2β u_i) = (1 + tanh(β u_i))/2 with local field u_i = h_i + Σ_j J_ij s_j.
/// <para>
/// Layered couplings carry the temperature gradient δ: a dense or convolutional block W into layer ℓ gives
/// J = δ^(ℓ−1) W and layer ℓ's bias b gives h = δ^max(ℓ−1, 0) b. Couplings are symmetric, so layer ℓ feels
/// layer ℓ−1 through W and layer ℓ+1 through Wᵀ (the transposed convolution for conv blocks), the latter
/// one factor δ weaker. Sparse couplings between arbitrary spins are used as given.
/// </para>
/// <para>
/// Spins are numbered globally, layer after layer, each layer flattened channel-major ([C, H, W] as in
/// PyTorch). Input layers are clamped to values supplied per input; pinned spins are clamped by the program
/// itself (e.g. "clamped" in a dimod-style problem). The program does not know how long it will be sampled:
/// that is the <c>Schedule</c>'s business.
/// </para>
/// </summary>
public sealed class IsingProgram
{
    readonly int[] offsets;
    readonly float[]?[] biases;
    CouplingGraph? graph;
    Colouring? colouring;

    /// <summary>The spin layers, in order (the index ℓ of the temperature gradient).</summary>
    public IReadOnlyList<SpinLayer> Layers { get; }
    /// <summary>The coupling blocks.</summary>
    public IReadOnlyList<Coupling> Couplings { get; }
    /// <summary>Inverse temperature β &gt; 0.</summary>
    public float Beta { get; }
    /// <summary>Temperature gradient δ &gt; 0 (1 = none).</summary>
    public float Delta { get; }
    /// <summary>Spins fixed by the program, ascending, with their values in <see cref="PinnedValues"/>.</summary>
    public int[] PinnedSpins { get; }
    /// <summary>Values (±1) of <see cref="PinnedSpins"/>.</summary>
    public sbyte[] PinnedValues { get; }
    /// <summary>Total number of spins.</summary>
    public int SpinCount { get; }
    /// <summary>Number of spins in input layers (the width of one input).</summary>
    public int InputSpinCount { get; }
    /// <summary>Spins a sweep updates: all but the clamped inputs and the pinned spins.</summary>
    public int FreeSpinCount => SpinCount - InputSpinCount - PinnedSpins.Length;

    /// <summary>
    /// Builds and validates a program. <paramref name="biases"/> holds, per layer, the unscaled bias b (one
    /// value per spin) or null for none. <paramref name="colouring"/> defaults to <see cref="Colouring.For"/>;
    /// a given colouring must be proper.
    /// </summary>
    public IsingProgram(IEnumerable<SpinLayer> layers, IEnumerable<Coupling> couplings, IEnumerable<float[]?>? biases = null,
        float beta = 1f, float delta = 1f, IEnumerable<(int Spin, sbyte Value)>? pinned = null, Colouring? colouring = null)
    {
        Layers = layers.ToArray();
        Couplings = couplings.ToArray();
        if (!(beta > 0) || !float.IsFinite(beta)) throw new ArgumentException($"beta must be positive and finite, got {beta}");
        if (!(delta > 0) || !float.IsFinite(delta)) throw new ArgumentException($"delta (temperature gradient) must be positive and finite, got {delta}");
        Beta = beta; Delta = delta;
        if (Layers.Count == 0) throw new ArgumentException("a program needs at least one spin layer");
        var names = new HashSet<string>(StringComparer.Ordinal);
        offsets = new int[Layers.Count + 1];
        long total = 0;
        for (int l = 0; l < Layers.Count; l++)
        {
            if (Layers[l] is null) throw new ArgumentException($"layer {l} is null");
            if (!names.Add(Layers[l].Name)) throw new ArgumentException($"layer name '{Layers[l].Name}' is used twice");
            offsets[l] = (int)total;
            total += Layers[l].Size;
            if (total > int.MaxValue / 4) throw new ArgumentException($"program has more than {int.MaxValue / 4} spins");
            if (Layers[l].IsInput) InputSpinCount += Layers[l].Size;
        }
        offsets[Layers.Count] = (int)total;
        SpinCount = (int)total;

        biases ??= Array.Empty<float[]?>();
        var b = biases.ToArray();
        if (b.Length != 0 && b.Length != Layers.Count) throw new ArgumentException($"got {b.Length} bias vectors for {Layers.Count} layers");
        this.biases = new float[]?[Layers.Count];
        for (int l = 0; l < b.Length; l++)
        {
            if (b[l] is null) continue;
            if (b[l]!.Length != Layers[l].Size) throw new ArgumentException($"layer {l} '{Layers[l].Name}': bias has {b[l]!.Length} values, layer {Layers[l].ShapeString} has {Layers[l].Size} spins");
            for (int i = 0; i < b[l]!.Length; i++)
                if (!float.IsFinite(b[l]![i])) throw new ArgumentException($"layer {l} '{Layers[l].Name}': bias {i} is {b[l]![i]}, fields must be finite");
            this.biases[l] = b[l];
        }

        for (int k = 0; k < Couplings.Count; k++)
        {
            if (Couplings[k] is null) throw new ArgumentException($"coupling {k} is null");
            Couplings[k].Validate(Layers, SpinCount, k);
        }

        var pins = (pinned ?? Array.Empty<(int, sbyte)>()).OrderBy(p => p.Spin).ToArray();
        PinnedSpins = new int[pins.Length];
        PinnedValues = new sbyte[pins.Length];
        var inputMask = InputMask();
        for (int k = 0; k < pins.Length; k++)
        {
            var (spin, value) = pins[k];
            if ((uint)spin >= (uint)SpinCount) throw new ArgumentException($"pinned spin {spin} out of range (program has {SpinCount} spins)");
            if (value is not (1 or -1)) throw new ArgumentException($"pinned spin {spin}: value {value} must be +1 or -1");
            if (k > 0 && pins[k - 1].Spin == spin) throw new ArgumentException($"spin {spin} is pinned twice");
            if (inputMask[spin]) throw new ArgumentException($"spin {spin} belongs to an input layer and cannot also be pinned");
            PinnedSpins[k] = spin; PinnedValues[k] = value;
        }

        if (colouring is not null)
        {
            if (!colouring.IsProper(Graph, FreeMask()))
                throw new ArgumentException("the given colouring is not proper: coupled free spins share a colour, or a free spin has none");
            this.colouring = colouring;
        }
    }

    /// <summary>First global spin index of each layer; entry [Layers.Count] is <see cref="SpinCount"/>.</summary>
    public ReadOnlySpan<int> LayerOffsets => offsets;

    /// <summary>Unscaled bias b of layer <paramref name="layer"/>, or null.</summary>
    public float[]? Bias(int layer) => biases[layer];

    /// <summary>Index of the layer named <paramref name="name"/>.</summary>
    public int LayerIndex(string name)
    {
        for (int l = 0; l < Layers.Count; l++) if (Layers[l].Name == name) return l;
        throw new ArgumentException($"program has no layer '{name}' (layers: {string.Join(", ", Layers.Select(x => x.Name))})");
    }

    /// <summary>Temperature-gradient factor of a layer's bias: δ^max(ℓ−1, 0).</summary>
    public float FieldScale(int layer) => (float)Math.Pow(Delta, Math.Max(layer - 1, 0));

    /// <summary>Factor applied to a block's weights: δ^(upper−1) for dense and conv blocks, 1 for sparse ones.</summary>
    public float CouplingScale(Coupling coupling) => coupling switch
    {
        DenseCoupling d => FieldScale(d.Upper),
        ConvCoupling c => FieldScale(c.Upper),
        _ => 1f,
    };

    /// <summary>Effective fields h_i = δ^max(ℓ−1,0) b_i of all spins (0 where a layer has no bias).</summary>
    public float[] EffectiveFields()
    {
        var h = new float[SpinCount];
        for (int l = 0; l < Layers.Count; l++)
        {
            if (biases[l] is not { } b) continue;
            float s = FieldScale(l);
            for (int i = 0; i < b.Length; i++) h[offsets[l] + i] = s * b[i];
        }
        return h;
    }

    /// <summary>The effective couplings as a sparse matrix (built on first use).</summary>
    public CouplingGraph Graph => graph ??= CouplingGraph.Build(this);

    /// <summary>The colouring used for block updates (automatic unless given).</summary>
    public Colouring Colouring => colouring ??= Colouring.For(this);

    /// <summary>True for spins of input layers.</summary>
    public bool[] InputMask()
    {
        var mask = new bool[SpinCount];
        for (int l = 0; l < Layers.Count; l++)
            if (Layers[l].IsInput) Array.Fill(mask, true, offsets[l], Layers[l].Size);
        return mask;
    }

    /// <summary>True for spins that are sampled (neither in an input layer nor pinned).</summary>
    public bool[] FreeMask()
    {
        var mask = InputMask();
        for (int i = 0; i < mask.Length; i++) mask[i] = !mask[i];
        foreach (int p in PinnedSpins) mask[p] = false;
        return mask;
    }

    /// <summary>Layer index of every spin.</summary>
    public int[] LayerOfSpin()
    {
        var layerOf = new int[SpinCount];
        for (int l = 0; l < Layers.Count; l++) Array.Fill(layerOf, l, offsets[l], Layers[l].Size);
        return layerOf;
    }

    /// <summary>E(s) (see the class summary).</summary>
    public double Energy(ReadOnlySpan<sbyte> spins) => Graph.Energy(spins);

    /// <summary>The same program at another β and/or δ (the colouring is kept).</summary>
    public IsingProgram With(float? beta = null, float? delta = null) =>
        new(Layers, Couplings, biases, beta ?? Beta, delta ?? Delta, PinnedSpins.Zip(PinnedValues), colouring);

    /// <summary>
    /// A single layer of n free spins with a symmetric coupling matrix J (row-major n×n, zero diagonal) and
    /// fields h: the general, non-layered Ising model.
    /// </summary>
    public static IsingProgram FromMatrix(float[] couplings, float[] fields, float beta, IEnumerable<(int Spin, sbyte Value)>? pinned = null)
    {
        ArgumentNullException.ThrowIfNull(couplings); ArgumentNullException.ThrowIfNull(fields);
        int n = fields.Length;
        if (couplings.Length != n * n) throw new ArgumentException($"coupling matrix has {couplings.Length} values, {n} spins need {n * n}");
        var triples = new List<(int, int, float)>();
        for (int i = 0; i < n; i++)
        {
            if (couplings[i * n + i] != 0) throw new ArgumentException($"coupling matrix diagonal J[{i},{i}] = {couplings[i * n + i]} must be 0");
            for (int j = i + 1; j < n; j++)
            {
                float a = couplings[i * n + j], b = couplings[j * n + i];
                if (a != b && !(float.IsNaN(a) && float.IsNaN(b)))
                    throw new ArgumentException($"coupling matrix is not symmetric: J[{i},{j}] = {a}, J[{j},{i}] = {b}");
                if (!float.IsFinite(a)) throw new ArgumentException($"coupling J[{i},{j}] = {a} is not finite");
                if (a != 0) triples.Add((i, j, a));
            }
        }
        return new IsingProgram([new SpinLayer("spins", [n])], [SparseCoupling.FromTriples(triples)], [fields], beta, 1f, pinned);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"IsingProgram({SpinCount} spins in {Layers.Count} layers, {Couplings.Count} coupling blocks, β={Beta}, δ={Delta})";
}
