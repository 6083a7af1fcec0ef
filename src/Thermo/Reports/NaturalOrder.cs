namespace Thermo.Reports;

/// <summary>
/// Orders strings with runs of digits compared as numbers ("gibbs_accuracy_G2" before "gibbs_accuracy_G16"), and
/// everything else ordinally, so key-result tables list G = 1, 2, 4, …, 64 rather than 1, 16, 2, …. Equal numbers
/// written differently ("G01", "G1") fall back to the ordinal order, so the order stays total.
/// </summary>
public sealed class NaturalOrder : IComparer<string>
{
    /// <summary>The one instance.</summary>
    public static NaturalOrder Instance { get; } = new();

    /// <inheritdoc/>
    public int Compare(string? x, string? y)
    {
        if (x is null || y is null) return string.CompareOrdinal(x, y);
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                int si = i, sj = j;
                while (i < x.Length && char.IsAsciiDigit(x[i])) i++;
                while (j < y.Length && char.IsAsciiDigit(y[j])) j++;
                // Compare the digit runs without leading zeros: longer is larger, then digit by digit (no overflow).
                var a = x.AsSpan(si, i - si).TrimStart('0');
                var b = y.AsSpan(sj, j - sj).TrimStart('0');
                if (a.Length != b.Length) return a.Length.CompareTo(b.Length);
                int c = a.SequenceCompareTo(b);
                if (c != 0) return c;
            }
            else
            {
                if (x[i] != y[j]) return x[i].CompareTo(y[j]);
                i++; j++;
            }
        }
        if (i < x.Length || j < y.Length) return (x.Length - i).CompareTo(y.Length - j);
        return string.CompareOrdinal(x, y);
    }
}
