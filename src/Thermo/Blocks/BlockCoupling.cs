using Thermo.Autograd;
using Thermo.Nn;
using Thermo.Tensors;

namespace Thermo.Blocks;

/// <summary>
/// The couplings W between a lower spin layer and an upper one inside an Ising block, without bias: a
/// weight-tied convolution or a dense matrix. The upper layer's field is W·s_lower; by symmetry the lower
/// layer feels Wᵀ·s_upper.
/// </summary>
public abstract class BlockCoupling : Module
{
    /// <summary>The weight tensor (conv [O, C, k, k] or dense [O, I]).</summary>
    public abstract Tensor Weight { get; }
    /// <summary>Shape of one lower-layer sample, e.g. [C, H, W] or [I].</summary>
    public abstract int[] LowerShape { get; }
    /// <summary>Shape of one upper-layer sample.</summary>
    public abstract int[] UpperShape { get; }
    /// <summary>W·x for a batch x of lower-layer states.</summary>
    public abstract Tensor Apply(Tensor x);
    /// <summary>(W∘W)·v: the variance a ±1 layer with Var = v passes upward.</summary>
    public abstract Tensor ApplySquared(Tensor v);
    /// <summary>Wᵀ·y for a batch y of upper-layer states (the feedback).</summary>
    public abstract Tensor Transpose(Tensor y);
    /// <summary>Σ_j |W_ij| for every upper unit i (one sample, flattened).</summary>
    public abstract Tensor UpperRowSums();
    /// <summary>Σ_i |W_ij| for every lower unit j (one sample, flattened).</summary>
    public abstract Tensor LowerRowSums();
    /// <summary>Multiply-accumulates of one W·x for one sample.</summary>
    public abstract long MacsPerSample { get; }

    /// <summary>Bits of the couplings as the machine holds them (32 = float).</summary>
    public int Bits { get; private set; } = 32;
    /// <summary>0/1 mask of couplings kept after sparsification (a checkpointed buffer), or null.</summary>
    public Tensor? Mask { get; private set; }

    /// <summary>
    /// Holds the couplings at <paramref name="bits"/> bits (symmetric, one scale per tensor) with a sparsity mask
    /// (a buffer named "mask", all ones until set or loaded). Training then sees the quantised couplings through
    /// a straight-through gradient (<see cref="BlockOps.FakeQuantize"/>).
    /// </summary>
    public void EnableQuantization(int bits)
    {
        if (bits < 2 || bits > 32) throw new ArgumentException($"coupling bits must be in 2..32, got {bits}");
        Bits = bits;
        Mask ??= Buffer("mask", Tensor.Full(1f, Weight.Shape));
    }

    /// <summary>The couplings the machine uses: quantised and masked when enabled, else <see cref="Weight"/>.</summary>
    public Tensor Effective() => Mask is null && Bits >= 32 ? Weight : BlockOps.FakeQuantize(Weight, Bits, Mask);

    /// <summary>The machine's couplings as a plain array (no autograd).</summary>
    public float[] EffectiveValues()
    {
        using var _ = GradMode.NoGrad();
        var e = Effective();
        return ReferenceEquals(e, Weight) ? (float[])Weight.Data.Clone() : e.Data.ToArray();
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => Apply(x);
}

/// <summary>Convolutional couplings (square kernel, stride, zero padding), initialised U(±1/√fan_in).</summary>
public sealed class ConvBlockCoupling : BlockCoupling
{
    readonly int[] lower, upper;
    /// <inheritdoc/>
    public override Tensor Weight { get; }
    /// <summary>Kernel, stride, padding.</summary>
    public int Kernel { get; }
    /// <inheritdoc cref="Kernel"/>
    public int Stride { get; }
    /// <inheritdoc cref="Kernel"/>
    public int Padding { get; }

    /// <summary>Creates couplings from a [C, H, W] layer to an [outChannels, H', W'] layer.</summary>
    public ConvBlockCoupling(int[] lowerShape, int outChannels, int kernel, int stride, int padding)
    {
        if (lowerShape.Length != 3) throw new ArgumentException($"a convolutional coupling needs a [C, H, W] lower layer, got [{string.Join(", ", lowerShape)}]");
        lower = lowerShape; Kernel = kernel; Stride = stride; Padding = padding;
        int h = (lowerShape[1] + 2 * padding - kernel) / stride + 1, w = (lowerShape[2] + 2 * padding - kernel) / stride + 1;
        if (h <= 0 || w <= 0) throw new ArgumentException($"kernel {kernel} (stride {stride}, padding {padding}) does not fit [{string.Join(", ", lowerShape)}]");
        upper = [outChannels, h, w];
        Weight = Parameter("weight", new Tensor(new float[outChannels * lowerShape[0] * kernel * kernel], outChannels, lowerShape[0], kernel, kernel));
    }

    /// <inheritdoc/>
    public override int[] LowerShape => lower;
    /// <inheritdoc/>
    public override int[] UpperShape => upper;
    /// <inheritdoc/>
    public override Tensor Apply(Tensor x) => F.Conv2d(x, Effective(), null, Stride, Padding);
    /// <inheritdoc/>
    public override Tensor ApplySquared(Tensor v) => F.Conv2d(v, F.Square(Effective()), null, Stride, Padding);
    /// <inheritdoc/>
    public override Tensor Transpose(Tensor y) => F.ConvTranspose2d(y, Effective(), lower[1], lower[2], Stride, Padding);
    /// <inheritdoc/>
    public override Tensor UpperRowSums()
    {
        // Every output position of channel o sees the whole kernel (interior): Σ_{c,i,j} |W[o,c,i,j]|.
        var a = F.Reshape(F.Abs(Effective()), upper[0], -1);
        return F.MatMul(a, Tensor.Full(1f, a.Shape[1], 1));
    }
    /// <inheritdoc/>
    public override Tensor LowerRowSums() =>
        F.Reshape(F.ConvTranspose2d(Tensor.Full(1f, 1, upper[0], upper[1], upper[2]), F.Abs(Effective()), lower[1], lower[2], Stride, Padding), -1);
    /// <inheritdoc/>
    public override long MacsPerSample => (long)upper[0] * upper[1] * upper[2] * lower[0] * Kernel * Kernel;
    /// <inheritdoc/>
    protected override void InitParameters(ulong seed, ulong stream) =>
        UniformInit(Weight, 1f / MathF.Sqrt(lower[0] * Kernel * Kernel), seed, stream);
    /// <inheritdoc/>
    public override string Describe() => $"conv {lower[0]}→{upper[0]} k{Kernel} s{Stride} p{Padding}";
}

/// <summary>All-to-all couplings between a layer of I spins (any shape, flattened) and O spins.</summary>
public sealed class DenseBlockCoupling : BlockCoupling
{
    readonly int[] lower, upper;
    readonly int inFeatures;
    /// <inheritdoc/>
    public override Tensor Weight { get; }

    /// <summary>Creates O×I couplings.</summary>
    public DenseBlockCoupling(int[] lowerShape, int outFeatures)
    {
        lower = lowerShape;
        inFeatures = lowerShape.Aggregate(1, (a, b) => a * b);
        upper = [outFeatures];
        Weight = Parameter("weight", new Tensor(new float[outFeatures * inFeatures], outFeatures, inFeatures));
    }

    /// <inheritdoc/>
    public override int[] LowerShape => lower;
    /// <inheritdoc/>
    public override int[] UpperShape => upper;
    /// <inheritdoc/>
    public override Tensor Apply(Tensor x) => F.Linear(F.Reshape(x, x.Shape[0], inFeatures), Effective());
    /// <inheritdoc/>
    public override Tensor ApplySquared(Tensor v) => F.Linear(F.Reshape(v, v.Shape[0], inFeatures), F.Square(Effective()));
    /// <inheritdoc/>
    public override Tensor Transpose(Tensor y) => F.Reshape(F.MatMul(y, Effective()), [y.Shape[0], .. lower]);
    /// <inheritdoc/>
    public override Tensor UpperRowSums() => F.MatMul(F.Abs(Effective()), Tensor.Full(1f, inFeatures, 1));
    /// <inheritdoc/>
    public override Tensor LowerRowSums() => F.MatMul(Tensor.Full(1f, 1, upper[0]), F.Abs(Effective()));
    /// <inheritdoc/>
    public override long MacsPerSample => (long)upper[0] * inFeatures;
    /// <inheritdoc/>
    protected override void InitParameters(ulong seed, ulong stream) =>
        UniformInit(Weight, 1f / MathF.Sqrt(inFeatures), seed, stream);
    /// <inheritdoc/>
    public override string Describe() => $"dense {inFeatures}→{upper[0]}";
}
