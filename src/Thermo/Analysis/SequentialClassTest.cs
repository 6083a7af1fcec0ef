namespace Thermo.Analysis;

/// <summary>
/// A sequential test of a class decision from a stream of per-sample class sums y_t ∈ ℝ^C (in an Ising block, the
/// sum of each class population's spins at sample t). At looks n ∈ {n₀, ⌈r·n₀⌉, …} ≤ n_max the leader L = argmax ȳ is
/// accepted when, for every other class c, the mean difference D̄ = ȳ_L − ȳ_c exceeds
/// z·√(v_c·τ/n), where v_c is the sample variance of y_L − y_c (with one pseudo-sample of variance
/// <see cref="PriorVariance"/>, so a few identical samples cannot give zero variance) and τ the integrated
/// autocorrelation time of the stream. z = Φ⁻¹(1 − ε/((C − 1)·K)) over K tested looks and C − 1 rivals (Bonferroni),
/// so the probability of accepting a class that is not the stream's true arg-max is about ε at most; the pseudo-sample
/// stands in for the Student-t correction at small n (sums of ±1 spins have bounded, known-scale variance). The error
/// rate is checked on synthetic Bernoulli streams in the tests. At n_max the leader is returned without the test.
/// </summary>
public sealed class SequentialClassTest
{
    readonly int[] looks;
    readonly double[] thresholds;

    /// <summary>Number of classes C.</summary>
    public int Classes { get; }
    /// <summary>Error budget ε per decision.</summary>
    public double Epsilon { get; }
    /// <summary>Integrated autocorrelation time τ of the stream (1 for independent samples).</summary>
    public double Tau { get; }
    /// <summary>Variance of the pseudo-sample added to each difference's sample variance.</summary>
    public double PriorVariance { get; }
    /// <summary>Sample counts at which the test looks, ascending; the last is n_max.</summary>
    public IReadOnlyList<int> Looks => looks;

    /// <summary>
    /// Creates the test. <paramref name="priorVariance"/> is typically the variance of a difference of two class sums of
    /// P independent fair spins, 2P.
    /// </summary>
    public SequentialClassTest(int classes, double epsilon, double tau, int firstLook, int maxSamples, double growth = 2, double priorVariance = 20)
    {
        if (classes < 2) throw new ArgumentException($"need at least 2 classes, got {classes}");
        if (!(epsilon > 0 && epsilon < 1)) throw new ArgumentException($"ε must be in (0, 1), got {epsilon}");
        if (!(tau >= 1)) throw new ArgumentException($"τ must be ≥ 1, got {tau}");
        if (firstLook < 2 || maxSamples < firstLook) throw new ArgumentException($"need 2 ≤ first look ≤ max samples, got {firstLook} and {maxSamples}");
        if (!(growth > 1)) throw new ArgumentException($"look growth must exceed 1, got {growth}");
        Classes = classes; Epsilon = epsilon; Tau = tau; PriorVariance = priorVariance;
        var l = new List<int>();
        for (double n = firstLook; ; n *= growth)
        {
            int k = (int)Math.Ceiling(n);
            if (k >= maxSamples) { l.Add(maxSamples); break; }
            if (l.Count == 0 || k > l[^1]) l.Add(k);
        }
        looks = l.ToArray();
        int tests = Math.Max(1, looks.Length - 1);   // the last look decides without a test
        double z = Gaussian.Quantile(1 - epsilon / ((classes - 1) * tests));
        thresholds = looks.Select(_ => z).ToArray();
    }

    /// <summary>The z threshold at look <paramref name="look"/>.</summary>
    public double Threshold(int look) => thresholds[look];

    /// <summary>Running sums of one stream: Σ y_c and Σ y_a y_b.</summary>
    public sealed class Stream
    {
        internal readonly double[] Sum;
        internal readonly double[] Cross;
        /// <summary>Samples added.</summary>
        public int Count { get; private set; }

        internal Stream(int classes)
        {
            Sum = new double[classes];
            Cross = new double[classes * classes];
        }

        /// <summary>Adds one sample of class sums.</summary>
        public void Add(ReadOnlySpan<double> y)
        {
            int c = Sum.Length;
            for (int a = 0; a < c; a++)
            {
                Sum[a] += y[a];
                for (int b = a; b < c; b++) Cross[a * c + b] += y[a] * y[b];
            }
            Count++;
        }

        /// <summary>Adds one sample of integer class sums.</summary>
        public void Add(ReadOnlySpan<short> y)
        {
            Span<double> d = stackalloc double[y.Length];
            for (int i = 0; i < y.Length; i++) d[i] = y[i];
            Add(d);
        }

        /// <summary>The current leader (first index of the largest sum).</summary>
        public int Leader()
        {
            int best = 0;
            for (int k = 1; k < Sum.Length; k++) if (Sum[k] > Sum[best]) best = k;
            return best;
        }
    }

    /// <summary>A fresh stream.</summary>
    public Stream NewStream() => new(Classes);

    /// <summary>The smallest standardised margin min_c D̄_c/√(v_c τ/n) of the leader over its rivals.</summary>
    public double MinimumZ(Stream s)
    {
        int n = s.Count, c = Classes, lead = s.Leader();
        double worst = double.PositiveInfinity;
        for (int k = 0; k < c; k++)
        {
            if (k == lead) continue;
            double mean = (s.Sum[lead] - s.Sum[k]) / n;
            double sq = s.Cross[Idx(lead, lead, c)] + s.Cross[Idx(k, k, c)] - 2 * s.Cross[Idx(lead, k, c)];
            double ss = Math.Max(0, sq - n * mean * mean);                     // Σ (D − D̄)²
            double v = (ss + PriorVariance) / n;                               // n − 1 dof plus one pseudo-sample
            double z = mean / Math.Sqrt(v * Tau / n);
            worst = Math.Min(worst, z);
        }
        return worst;
    }

    static int Idx(int a, int b, int c) => a <= b ? a * c + b : b * c + a;

    /// <summary>
    /// At look <paramref name="look"/> (the stream must hold exactly <see cref="Looks"/>[look] samples): true with the
    /// decided class when the test accepts the leader, or at the last look.
    /// </summary>
    public bool TryDecide(Stream s, int look, out int decided)
    {
        if (s.Count != looks[look]) throw new ArgumentException($"look {look} is at {looks[look]} samples, the stream has {s.Count}");
        decided = s.Leader();
        return look == looks.Length - 1 || MinimumZ(s) >= thresholds[look];
    }
}
