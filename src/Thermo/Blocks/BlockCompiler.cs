using Thermo.Ising;

namespace Thermo.Blocks;

/// <summary>
/// Compiles a trained <see cref="IsingBlock"/> into the <see cref="IsingProgram"/> a machine runs: layers
/// input (clamped) → hidden → output with β = 1 and the block's δ. Batch normalisation (evaluation
/// statistics) folds into the hidden couplings and fields: W₁' = γ/√(σ²+ε)·W₁, b₁ = β_bn − γμ/√(σ²+ε).
/// </summary>
public static class BlockCompiler
{
    /// <summary>The program of one block; layer names are "input", "hidden", "output".</summary>
    public static IsingProgram Compile(IsingBlock block)
    {
        var bn = block.HiddenNorm;
        int hc = block.HiddenShape[0];
        var scale = new float[hc];
        var shift = new float[hc];
        for (int c = 0; c < hc; c++)
        {
            float inv = 1f / MathF.Sqrt(bn.RunningVar.Data[c] + bn.Eps);
            scale[c] = bn.Gamma.Data[c] * inv;
            shift[c] = bn.Beta.Data[c] - bn.Gamma.Data[c] * bn.RunningMean.Data[c] * inv;
        }
        var w1 = block.Hidden.EffectiveValues();
        int perChannel = w1.Length / hc;
        for (int c = 0; c < hc; c++)
            for (int i = 0; i < perChannel; i++) w1[c * perChannel + i] *= scale[c];

        var layers = new[]
        {
            new SpinLayer("input", block.InputShape, isInput: true),
            new SpinLayer("hidden", block.HiddenShape),
            new SpinLayer("output", block.OutputShape),
        };
        var couplings = new[] { MakeCoupling(block.Hidden, w1, 0, 1), MakeCoupling(block.Output, block.Output.EffectiveValues(), 1, 2) };
        int hiddenSpatial = layers[1].Size / hc, outSpatial = layers[2].Size / block.OutputShape[0];
        var b1 = new float[layers[1].Size];
        for (int c = 0; c < hc; c++) Array.Fill(b1, shift[c], c * hiddenSpatial, hiddenSpatial);
        var b2 = new float[layers[2].Size];
        for (int c = 0; c < block.OutputShape[0]; c++) Array.Fill(b2, block.OutputBias.Data[c], c * outSpatial, outSpatial);
        return new IsingProgram(layers, couplings, [null, b1, b2], beta: 1f, delta: block.Delta);
    }

    static Coupling MakeCoupling(BlockCoupling c, float[] weight, int lower, int upper) => c switch
    {
        ConvBlockCoupling conv => new ConvCoupling(lower, upper, weight, conv.Kernel, conv.Stride, conv.Padding),
        DenseBlockCoupling => new DenseCoupling(lower, upper, weight),
        _ => throw new NotSupportedException($"coupling {c.Describe()} has no Ising mapping"),
    };

    /// <summary>One program per block of the network.</summary>
    public static IReadOnlyList<IsingProgram> Compile(IsingBlockNet net) => net.Blocks.Select(Compile).ToList();
}
