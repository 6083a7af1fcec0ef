namespace Thermo.Ising;

/// <summary>
/// Quantised couplings: every coupling block's weights W are replaced by q·s with integer q, |q| ≤ 2^(bits−1) − 1,
/// and one scale s per block (s = max|W| / (2^(bits−1) − 1), or the next power of two above it, so that sums of
/// couplings are exact in float32 in any order). The result is a <em>different</em> program — the one a machine with int8 couplings
/// would run — so results obtained with it must be labelled as such ("couplings": "int8"). Biases stay float.
/// </summary>
public static class CouplingQuantizer
{
    /// <summary>The program with quantised couplings, and the scale chosen for each block.</summary>
    public static (IsingProgram Program, float[] Scales) Quantize(IsingProgram program, int bits = 8, bool powerOfTwoScale = false)
    {
        if (bits is < 2 or > 24) throw new ArgumentException($"bits must be in 2..24, got {bits}");
        var scales = new float[program.Couplings.Count];
        var couplings = new Coupling[program.Couplings.Count];
        for (int k = 0; k < couplings.Length; k++)
        {
            var c = program.Couplings[k];
            float[] w = Values(c);
            float scale = Scale(w, bits, powerOfTwoScale);
            scales[k] = scale;
            var q = new float[w.Length];
            for (int i = 0; i < w.Length; i++) q[i] = Level(w[i], scale, bits) * scale;
            couplings[k] = c switch
            {
                DenseCoupling d => new DenseCoupling(d.Lower, d.Upper, q),
                ConvCoupling v => new ConvCoupling(v.Lower, v.Upper, q, v.Kernel, v.Stride, v.Padding),
                SparseCoupling s => new SparseCoupling(s.I, s.J, q),
                _ => throw new NotSupportedException(),
            };
        }
        var biases = Enumerable.Range(0, program.Layers.Count).Select(program.Bias);
        return (new IsingProgram(program.Layers, couplings, biases, program.Beta, program.Delta, program.PinnedSpins.Zip(program.PinnedValues)), scales);
    }

    /// <summary>The coupling values of a block (weights of dense and conv blocks, values of sparse ones).</summary>
    public static float[] Values(Coupling coupling) => coupling switch
    {
        DenseCoupling d => d.Weight,
        ConvCoupling v => v.Weight,
        SparseCoupling s => s.Value,
        _ => throw new NotSupportedException($"coupling {coupling.GetType().Name} has no values"),
    };

    /// <summary>The scale s of a block: max|W| / (2^(bits−1) − 1) (1 for an all-zero block), or the next power of two above it.</summary>
    public static float Scale(ReadOnlySpan<float> weights, int bits, bool powerOfTwo = false)
    {
        float max = 0;
        foreach (float v in weights) max = MathF.Max(max, MathF.Abs(v));
        float scale = max == 0 ? 1f : max / Levels(bits);
        return powerOfTwo ? MathF.Pow(2f, MathF.Ceiling(MathF.Log2(scale))) : scale;
    }

    /// <summary>The integer level q = clamp(round(w / s), −L, L) of one coupling, L = 2^(bits−1) − 1.</summary>
    public static int Level(float weight, float scale, int bits) => (int)Math.Clamp(MathF.Round(weight / scale), -Levels(bits), Levels(bits));

    static int Levels(int bits) => (1 << (bits - 1)) - 1;
}
