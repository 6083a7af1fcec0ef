using Thermo.Autograd;
using Thermo.Nn;
using Thermo.Tensors;

namespace Thermo.Blocks;

/// <summary>
/// One Ising block: clamped ±1 input spins x, a free hidden layer h and a free output layer o, coupled
/// symmetrically with temperature gradient δ (β = 1):
/// E = −hᵀ(W₁x + b₁) − δ·oᵀ(W₂h + b₂), so P(h_i = +1 | x, o) = σ(2[W₁x + b₁ + δW₂ᵀo]_i) and
/// P(o_k = +1 | h) = σ(2δ[W₂h + b₂]_k). Batch normalisation of W₁x folds into W₁ and b₁ when compiled.
/// <para>
/// The differentiable surrogate of the output's time average iterates mean field with feedback, passing
/// the variance of the binary hidden layer upward (see <see cref="BlockOps.GaussianTanh"/>):
/// m_h = tanh(W₁x + b₁ + δW₂ᵀm_o), m_o = E[tanh(Z)], Z ~ N(δ(W₂m_h + b₂), δ²W₂²(1 − m_h²)).
/// </para>
/// </summary>
public sealed class IsingBlock : Module
{
    /// <summary>Couplings input → hidden (W₁) and hidden → output (W₂).</summary>
    public BlockCoupling Hidden { get; }
    /// <inheritdoc cref="Hidden"/>
    public BlockCoupling Output { get; }
    /// <summary>Batch normalisation of the hidden field W₁x (folded into W₁, b₁ on compilation).</summary>
    public BatchNorm HiddenNorm { get; }
    /// <summary>Output field bias b₂ (scaled by δ in the machine).</summary>
    public Tensor OutputBias { get; }
    /// <summary>Temperature gradient δ of the output layer.</summary>
    public float Delta { get; }

    /// <summary>Creates a block from its two couplings.</summary>
    public IsingBlock(BlockCoupling hidden, BlockCoupling output, float delta)
    {
        if (!hidden.UpperShape.SequenceEqual(output.LowerShape))
            throw new ArgumentException($"hidden layer [{string.Join(", ", hidden.UpperShape)}] does not match the output coupling's input [{string.Join(", ", output.LowerShape)}]");
        if (delta <= 0 || delta > 1) throw new ArgumentException($"δ must be in (0, 1], got {delta}");
        Hidden = Child("hidden", hidden);
        Output = Child("output", output);
        HiddenNorm = Child("hidden_norm", new BatchNorm(hidden.UpperShape[0]));
        OutputBias = Parameter("output_bias", new Tensor(new float[output.UpperShape[0]], output.UpperShape[0]));
        Delta = delta;
    }

    /// <summary>Shape of one input sample.</summary>
    public int[] InputShape => Hidden.LowerShape;
    /// <summary>Shape of one hidden-layer sample.</summary>
    public int[] HiddenShape => Hidden.UpperShape;
    /// <summary>Shape of one output sample.</summary>
    public int[] OutputShape => Output.UpperShape;

    /// <summary>
    /// True once batch normalisation has been folded into W₁ (<see cref="FoldNorm"/>): the norm is then the
    /// identity plus the field b₁ and stays in evaluation mode, so training acts on the couplings the machine holds.
    /// </summary>
    public bool NormFolded { get; set; }

    /// <summary>Hidden field from the clamped input: BN(W₁x) (train or eval statistics; always eval once folded).</summary>
    public Tensor HiddenField(Tensor x) => NormFolded
        ? F.BatchNorm(Hidden.Apply(x), HiddenNorm.Gamma, HiddenNorm.Beta, HiddenNorm.RunningMean, HiddenNorm.RunningVar, training: false, eps: HiddenNorm.Eps)
        : HiddenNorm.Forward(Hidden.Apply(x));

    /// <summary>
    /// Folds the evaluation statistics of the batch norm into W₁ (W₁ ← γ/√(σ²+ε)·W₁) and the field
    /// (β ← β − γμ/√(σ²+ε)), leaving the norm as identity + field: the model computes the same function and its
    /// W₁ is now exactly the machine's hidden couplings (needed before quantising them).
    /// </summary>
    public void FoldNorm()
    {
        if (NormFolded) return;
        var bn = HiddenNorm;
        int hc = HiddenShape[0], per = Hidden.Weight.Length / hc;
        for (int c = 0; c < hc; c++)
        {
            float inv = 1f / MathF.Sqrt(bn.RunningVar.Data[c] + bn.Eps), scale = bn.Gamma.Data[c] * inv;
            for (int i = 0; i < per; i++) Hidden.Weight.Data[c * per + i] *= scale;
            bn.Beta.Data[c] -= bn.Gamma.Data[c] * bn.RunningMean.Data[c] * inv;
            bn.Gamma.Data[c] = 1f;
            bn.RunningMean.Data[c] = 0f;
            bn.RunningVar.Data[c] = 1f - bn.Eps;
        }
        NormFolded = true;
    }

    /// <summary>
    /// Surrogate output magnetisation m_o after <paramref name="iterations"/> mean-field passes (the first
    /// without feedback). <paramref name="residual"/> is the mean squared change of m_h in the last pass:
    /// the fixed-point loss that keeps the feedback weak enough for the iteration to converge.
    /// </summary>
    public Tensor Surrogate(Tensor x, int iterations, bool propagateVariance, out Tensor? residual)
    {
        if (iterations < 1) throw new ArgumentException("at least one mean-field iteration is needed");
        var a = HiddenField(x);
        Tensor? mo = null, mhPrev = null;
        residual = null;
        for (int it = 0; it < iterations; it++)
        {
            using var stage = InferenceStage.Begin();
            var u = mo is null ? a : F.AddScaled(a, Output.Transpose(mo), Delta);
            var mh = F.Tanh(u);
            if (mhPrev is not null) residual = F.MeanSquaredDifference(mh, mhPrev);
            mhPrev = mh;
            var mu = F.AddBias(Output.Apply(mh), OutputBias, Delta);
            // The first of several passes is only an initial guess for the feedback, so plain mean field is
            // enough there and saves a convolution with squared weights; later passes need the variance, or
            // the feedback they return is too strong (checked against exact enumeration in the tests).
            if (propagateVariance && (it > 0 || iterations == 1))
                mo = BlockOps.GaussianTanh(mu, F.Scale(Output.ApplySquared(BlockOps.SpinVariance(mh)), Delta * Delta));
            else mo = F.Tanh(mu);
            if (stage is not null)
            {
                stage.Keep(mh);
                stage.Keep(mo);
                if (residual is not null) stage.Keep(residual);
            }
        }
        return mo!;
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => Surrogate(x, 3, true, out _);

    /// <summary>
    /// Magnitude penalty: mean of relu(δΣ_j|W₂,kj| − <paramref name="outputBound"/>)² over output units plus the
    /// same with <paramref name="hiddenBound"/> for the feedback row sums δΣ_k|W₂,kj| of hidden units. These are
    /// the Dobrushin row sums of the free–free couplings; keeping them bounded keeps mixing fast and mean
    /// field accurate.
    /// </summary>
    public Tensor MagnitudePenalty(float outputBound, float hiddenBound, out float maxOutputRow, out float maxHiddenRow)
    {
        var outRows = F.Scale(Output.UpperRowSums(), Delta);
        var hidRows = F.Scale(Output.LowerRowSums(), Delta);
        maxOutputRow = Max(outRows); maxHiddenRow = Max(hidRows);
        var p1 = F.Mean(F.Square(F.Relu(F.AddScalar(outRows, -outputBound))));
        var p2 = F.Mean(F.Square(F.Relu(F.AddScalar(hidRows, -hiddenBound))));
        return F.Add(p1, p2);
    }

    static float Max(Tensor t)
    {
        float m = float.NegativeInfinity;
        foreach (float v in t.Data) m = MathF.Max(m, v);
        return m;
    }

    /// <inheritdoc/>
    public override string Describe() => $"IsingBlock([{string.Join("x", InputShape)}] → {Hidden.Describe()} → {Output.Describe()}, δ={Delta})";
}
