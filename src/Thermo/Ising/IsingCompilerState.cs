namespace Thermo.Ising;

/// <summary>
/// The program an <see cref="IsingCompiler"/> is building: the spin layers so far, and the linear map since the
/// last spin layer that has not yet met its activation (the next layer's couplings and bias). Compiler rules
/// (built in, or added for new module kinds) move it forward.
/// </summary>
public sealed class IsingCompilerState
{
    readonly List<SpinLayer> layers = new();
    readonly List<Coupling> couplings = new();
    readonly List<float[]?> biases = new();

    /// <summary>A linear map from the current spin layer, waiting for its activation.</summary>
    sealed class Pending
    {
        public required string Name;
        public required int[] OutShape;
        public required float[] Weight;  // conv [O, C, K, K] or dense [out, in]
        public required float[] Bias;    // per output channel (conv) or feature (dense)
        public int Kernel, Stride, Padding;
        public bool IsConv;
    }

    Pending? pending;
    int pool = 1; // average pooling (k×k, stride k) applied to the current spin layer, not yet folded

    internal IsingCompilerState(int[] inputShape)
    {
        var input = new SpinLayer("input", inputShape, isInput: true);
        layers.Add(input);
        biases.Add(null);
    }

    /// <summary>Shape of the current (last) spin layer as the next coupling sees it, i.e. after pending pooling.</summary>
    public int[] CurrentShape
    {
        get
        {
            var s = layers[^1].Shape;
            return s.Length == 3 ? [s[0], s[1] / pool, s[2] / pool] : s;
        }
    }

    /// <summary>Whether a linear map is waiting for its activation.</summary>
    public bool HasPending => pending is not null;

    /// <summary>Starts a convolutional coupling from the current spin layer (groups expanded to a full weight).</summary>
    public void BeginConv(string name, float[] weight, float[]? bias, int outChannels, int inChannels, int kernel, int stride, int padding, int groups = 1)
    {
        RequireNoPending(name);
        var cur = layers[^1];
        if (cur.Shape.Length != 3) throw new ArgumentException($"layer {name}: a convolution needs a [C, H, W] spin layer, the previous layer is {cur.ShapeString}");
        var shape = CurrentShape;
        if (shape[0] != inChannels) throw new ArgumentException($"layer {name}: expects {inChannels} input channels, the spin layer has {shape[0]}");
        var w = weight;
        if (groups > 1)
        {
            int cinG = inChannels / groups, coutG = outChannels / groups;
            w = new float[outChannels * inChannels * kernel * kernel];
            for (int o = 0; o < outChannels; o++)
                for (int c = 0; c < cinG; c++)
                    for (int t = 0; t < kernel * kernel; t++)
                        w[(o * inChannels + (o / coutG) * cinG + c) * kernel * kernel + t] = weight[(o * cinG + c) * kernel * kernel + t];
        }
        int k = kernel, s = stride, p = padding;
        if (pool > 1)
        {
            // conv(avgpool_q(x)) = conv with kernel K·q, stride S·q, padding P·q and weights w/q² repeated over each q×q window.
            int q = pool, kq = k * q;
            var wq = new float[outChannels * inChannels * kq * kq];
            for (int o = 0; o < outChannels; o++)
                for (int c = 0; c < inChannels; c++)
                    for (int i = 0; i < kq; i++)
                        for (int j = 0; j < kq; j++)
                            wq[((o * inChannels + c) * kq + i) * kq + j] = w[((o * inChannels + c) * k + i / q) * k + j / q] / (q * q);
            w = wq; k = kq; s *= q; p *= q;
            pool = 1;
        }
        int h = (cur.Height + 2 * p - k) / s + 1, wd = (cur.Width + 2 * p - k) / s + 1;
        if (h <= 0 || wd <= 0) throw new ArgumentException($"layer {name}: kernel {k}, stride {s}, padding {p} do not fit the spin layer {cur.ShapeString}");
        pending = new Pending { Name = name, OutShape = [outChannels, h, wd], Weight = w, Bias = bias ?? new float[outChannels], Kernel = k, Stride = s, Padding = p, IsConv = true };
    }

    /// <summary>Starts a dense coupling from the current spin layer (flattened channel-major).</summary>
    public void BeginDense(string name, float[] weight, float[]? bias, int outFeatures, int inFeatures)
    {
        RequireNoPending(name);
        var cur = layers[^1];
        var shape = CurrentShape;
        int flat = shape.Aggregate(1, (a, b) => a * b);
        if (flat != inFeatures) throw new ArgumentException($"layer {name}: expects {inFeatures} inputs, the spin layer gives {flat} ([{string.Join(", ", shape)}])");
        var w = weight;
        if (pool > 1)
        {
            // Linear(avgpool_q(x)): each pooled input spreads its weight over its q×q window, divided by q².
            int q = pool, c = cur.Channels, hh = cur.Height, ww = cur.Width, ph = hh / q, pw = ww / q;
            w = new float[outFeatures * cur.Size];
            for (int o = 0; o < outFeatures; o++)
                for (int ch = 0; ch < c; ch++)
                    for (int y = 0; y < ph * q; y++)
                        for (int x = 0; x < pw * q; x++)
                            w[(long)o * cur.Size + (ch * hh + y) * ww + x] = weight[(long)o * inFeatures + (ch * ph + y / q) * pw + x / q] / (q * q);
            pool = 1;
        }
        pending = new Pending { Name = name, OutShape = [outFeatures], Weight = w, Bias = bias ?? new float[outFeatures] };
    }

    /// <summary>Folds y = scale·z + shift (per output channel) into the pending map, as batch norm in evaluation mode does.</summary>
    public void ScalePending(string name, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift)
    {
        if (pending is null)
            throw new ArgumentException($"layer {name}: batch norm must directly follow a Linear or Conv2d to fold into its couplings (after an activation it acts on spins, which couplings cannot express)");
        int channels = pending.OutShape[0];
        if (scale.Length != channels) throw new ArgumentException($"layer {name}: has {scale.Length} channels, layer {pending.Name} produces {channels}");
        int per = pending.Weight.Length / channels;
        for (int o = 0; o < channels; o++)
        {
            for (int i = 0; i < per; i++) pending.Weight[o * per + i] *= scale[o];
            pending.Bias[o] = pending.Bias[o] * scale[o] + shift[o];
        }
    }

    /// <summary>Average pooling k×k with stride k of the current spin layer, to be folded into the next coupling.</summary>
    public void AveragePool(string name, int kernel, int stride)
    {
        if (pending is not null) throw new ArgumentException($"layer {name}: pooling before the activation is not supported; pool the spins (after Tanh/HardTanh/SignSte)");
        if (stride != kernel) throw new ArgumentException($"layer {name}: average pooling folds into the next couplings only with stride = kernel, got kernel {kernel}, stride {stride}");
        var cur = layers[^1];
        if (cur.Shape.Length != 3) throw new ArgumentException($"layer {name}: pooling needs a [C, H, W] spin layer, got {cur.ShapeString}");
        int q = pool * kernel;
        if (cur.Height % q != 0 || cur.Width % q != 0)
            throw new ArgumentException($"layer {name}: {q}x{q} pooling does not tile the {cur.Height}x{cur.Width} spin layer exactly");
        pool = q;
    }

    /// <summary>Global average pooling: pooling over the whole H×W of the current spin layer.</summary>
    public void GlobalPool(string name)
    {
        var cur = layers[^1];
        if (cur.Shape.Length != 3 || cur.Height != cur.Width)
            throw new ArgumentException($"layer {name}: global pooling folds into the next couplings for square [C, H, H] spin layers, got {cur.ShapeString}");
        AveragePool(name, cur.Height / pool, cur.Height / pool);
    }

    /// <summary>Closes the pending map: its outputs become a new free spin layer named <paramref name="name"/>.</summary>
    public void CloseSpinLayer(string name)
    {
        if (pending is null) throw new ArgumentException($"layer {name}: an activation needs a Linear or Conv2d before it (spins come from couplings)");
        int lower = layers.Count - 1, upper = layers.Count;
        var layer = new SpinLayer(pending.Name, pending.OutShape);
        layers.Add(layer);
        couplings.Add(pending.IsConv
            ? new ConvCoupling(lower, upper, pending.Weight, pending.Kernel, pending.Stride, pending.Padding)
            : new DenseCoupling(lower, upper, pending.Weight));
        var b = new float[layer.Size];
        int plane = layer.Size / pending.OutShape[0];
        for (int o = 0; o < pending.OutShape[0]; o++) Array.Fill(b, pending.Bias[o], o * plane, plane);
        biases.Add(b);
        pending = null;
    }

    void RequireNoPending(string name)
    {
        if (pending is not null)
            throw new ArgumentException($"layer {name}: follows layer {pending.Name} without an activation in between; each Linear/Conv2d must end in Tanh, HardTanh or SignSte (except the last)");
    }

    internal IsingProgram Build(float beta, float delta)
    {
        if (pending is not null) CloseSpinLayer(pending.Name); // a final Linear without activation: its outputs are the output spins
        if (pool > 1) throw new ArgumentException("the network ends in a pooling layer; pooling can only fold into a following Linear or Conv2d");
        if (layers.Count < 2) throw new ArgumentException("the network has no Linear or Conv2d layer: nothing to compile");
        return new IsingProgram(layers, couplings, biases, beta, delta);
    }
}
