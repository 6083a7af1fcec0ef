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
        int levels = (1 << (bits - 1)) - 1;
        var scales = new float[program.Couplings.Count];
        var couplings = new Coupling[program.Couplings.Count];
        for (int k = 0; k < couplings.Length; k++)
        {
            var c = program.Couplings[k];
            float[] w = c switch { DenseCoupling d => d.Weight, ConvCoupling v => v.Weight, SparseCoupling s => s.Value, _ => throw new NotSupportedException() };
            float max = 0;
            foreach (float v in w) max = MathF.Max(max, MathF.Abs(v));
            float scale = max == 0 ? 1f : max / levels;
            if (powerOfTwoScale) scale = MathF.Pow(2f, MathF.Ceiling(MathF.Log2(scale)));
            scales[k] = scale;
            var q = new float[w.Length];
            for (int i = 0; i < w.Length; i++) q[i] = Math.Clamp(MathF.Round(w[i] / scale), -levels, levels) * scale;
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
}
