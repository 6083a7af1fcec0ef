namespace Thermo.Analysis;

/// <summary>In-place iterative radix-2 complex FFT (Cooley–Tukey), X_k = Σ_n x_n e^(∓2πi kn/N), N a power of two.</summary>
internal static class Fft
{
    public static int NextPowerOfTwo(int n)
    {
        int p = 1;
        while (p < n) p <<= 1;
        return p;
    }

    /// <summary>Transforms (re, im) in place; <paramref name="inverse"/> uses e^(+2πi kn/N) and does not divide by N.</summary>
    public static void Transform(Span<double> re, Span<double> im, bool inverse)
    {
        int n = re.Length;
        if (n != im.Length || (n & (n - 1)) != 0) throw new ArgumentException($"FFT length must be a power of two, got {n}");
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) { (re[i], re[j]) = (re[j], re[i]); (im[i], im[j]) = (im[j], im[i]); }
        }
        for (int len = 2; len <= n; len <<= 1)
        {
            double angle = (inverse ? 2 : -2) * Math.PI / len;
            double wr = Math.Cos(angle), wi = Math.Sin(angle);
            int half = len >> 1;
            for (int start = 0; start < n; start += len)
            {
                double cr = 1, ci = 0;
                for (int k = 0; k < half; k++)
                {
                    int a = start + k, b = a + half;
                    double tr = re[b] * cr - im[b] * ci, ti = re[b] * ci + im[b] * cr;
                    re[b] = re[a] - tr; im[b] = im[a] - ti;
                    re[a] += tr; im[a] += ti;
                    double nr = cr * wr - ci * wi;
                    ci = cr * wi + ci * wr; cr = nr;
                }
            }
        }
    }
}
