namespace Thermo.Langevin;

/// <summary>
/// How raw pixels become clamped input values (Whitelam 2025): x = (p·<see cref="PixelScale"/> − μ) / σ,
/// then every digit is rescaled to the same L2 norm R: x ← x · R / ‖x‖. In the published code μ = 0.13066,
/// σ² = 0.112003 − μ² (MNIST training-set moments) and R is the largest norm in the set.
/// </summary>
/// <param name="PixelScale">Factor applied to raw pixel values (1/255 for bytes).</param>
/// <param name="Mean">μ.</param>
/// <param name="Std">σ.</param>
/// <param name="TargetNorm">R; 0 disables the rescaling.</param>
public readonly record struct InputNormalization(float PixelScale, float Mean, float Std, float TargetNorm)
{
    /// <summary>μ of the published code.</summary>
    public const float MnistMean = 0.13066f;
    /// <summary>E[p²] of the published code; σ = √(E[p²] − μ²).</summary>
    public const float MnistSecondMoment = 0.112003f;

    /// <summary>The published normalisation with a given target norm R.</summary>
    public static InputNormalization Mnist(float targetNorm) =>
        new(1f / 255f, MnistMean, MathF.Sqrt(MnistSecondMoment - MnistMean * MnistMean), targetNorm);

    /// <summary>Standardises one raw row into <paramref name="destination"/> (no L2 rescaling).</summary>
    public void Standardize(ReadOnlySpan<float> raw, Span<float> destination)
    {
        float inv = 1f / Std;
        for (int i = 0; i < raw.Length; i++) destination[i] = (raw[i] * PixelScale - Mean) * inv;
    }

    /// <summary>Standardises and rescales one raw row (pixels) into <paramref name="destination"/>.</summary>
    public void Apply(ReadOnlySpan<float> raw, Span<float> destination)
    {
        Standardize(raw, destination);
        if (TargetNorm <= 0) return;
        double norm = 0;
        foreach (float v in destination) norm += (double)v * v;
        norm = Math.Sqrt(norm);
        if (norm < 1e-12) return;
        float s = (float)(TargetNorm / norm);
        for (int i = 0; i < destination.Length; i++) destination[i] *= s;
    }

    /// <summary>Normalises <paramref name="count"/> rows of <paramref name="width"/> raw values.</summary>
    public float[] ApplyRows(ReadOnlySpan<float> raw, int count, int width)
    {
        if (raw.Length != (long)count * width) throw new ArgumentException($"expected {count}×{width} values, got {raw.Length}");
        var result = new float[raw.Length];
        for (int n = 0; n < count; n++) Apply(raw.Slice(n * width, width), result.AsSpan(n * width, width));
        return result;
    }

    /// <summary>The largest L2 norm of the standardised rows: the published choice of R.</summary>
    public static float LargestNorm(ReadOnlySpan<float> raw, int count, int width, InputNormalization standardization)
    {
        var row = new float[width];
        double max = 0;
        for (int n = 0; n < count; n++)
        {
            standardization.Standardize(raw.Slice(n * width, width), row);
            double s = 0;
            foreach (float v in row) s += (double)v * v;
            max = Math.Max(max, s);
        }
        return (float)Math.Sqrt(max);
    }
}
