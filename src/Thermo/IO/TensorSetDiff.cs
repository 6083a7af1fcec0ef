using System.Text;

namespace Thermo.IO;

/// <summary>
/// The differences between the tensors a consumer expects (a model, a manifest) and those a file holds:
/// missing, unexpected, and present with another shape or dtype. <see cref="ThrowIfAny"/> turns them into one
/// <see cref="InvalidDataException"/> that lists every problem.
/// </summary>
public sealed class TensorSetDiff
{
    const int MaxListed = 20;

    /// <summary>Expected but absent.</summary>
    public IReadOnlyList<TensorSpec> Missing { get; }
    /// <summary>Present but not expected.</summary>
    public IReadOnlyList<TensorSpec> Unexpected { get; }
    /// <summary>Present under the expected name with another shape or dtype.</summary>
    public IReadOnlyList<(TensorSpec Expected, TensorSpec Found)> Mismatched { get; }

    TensorSetDiff(List<TensorSpec> missing, List<TensorSpec> unexpected, List<(TensorSpec, TensorSpec)> mismatched)
    {
        Missing = missing; Unexpected = unexpected; Mismatched = mismatched;
    }

    /// <summary>True when the two sets agree.</summary>
    public bool IsEmpty => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    /// <summary>
    /// Compares <paramref name="expected"/> with <paramref name="found"/>. With <paramref name="allowUnexpected"/>
    /// extra tensors in the file are not reported.
    /// </summary>
    public static TensorSetDiff Compare(IEnumerable<TensorSpec> expected, IEnumerable<TensorSpec> found, bool allowUnexpected = false)
    {
        var foundByName = new Dictionary<string, TensorSpec>(StringComparer.Ordinal);
        foreach (var f in found) foundByName[f.Name] = f;
        var missing = new List<TensorSpec>();
        var mismatched = new List<(TensorSpec, TensorSpec)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in expected)
        {
            seen.Add(e.Name);
            if (!foundByName.TryGetValue(e.Name, out var f)) missing.Add(e);
            else if (f.DType != e.DType || !f.Shape.AsSpan().SequenceEqual(e.Shape)) mismatched.Add((e, f));
        }
        var unexpected = allowUnexpected ? new List<TensorSpec>() : foundByName.Values.Where(f => !seen.Contains(f.Name)).OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        return new TensorSetDiff(missing, unexpected, mismatched);
    }

    /// <summary>Throws one <see cref="InvalidDataException"/> listing every difference, headed by <paramref name="what"/>.</summary>
    public void ThrowIfAny(string what)
    {
        if (!IsEmpty) throw new InvalidDataException(Describe(what));
    }

    /// <summary>A multi-line description, e.g. "checkpoint 'a.safetensors' does not match the model: missing (1): …".</summary>
    public string Describe(string what)
    {
        var sb = new StringBuilder(what);
        if (IsEmpty) return sb.Append(": no differences").ToString();
        sb.Append(':');
        List(sb, "missing", Missing.Select(m => m.ToString()).ToList());
        List(sb, "unexpected", Unexpected.Select(u => u.ToString()).ToList());
        List(sb, "shape/dtype mismatch", Mismatched.Select(m => $"{m.Expected.Name}: expected {Spell(m.Expected)}, found {Spell(m.Found)}").ToList());
        return sb.ToString();
    }

    static string Spell(TensorSpec s) => s.DType == SafetensorsDType.F32 ? s.ShapeString : $"{s.DType}{s.ShapeString}";

    static void List(StringBuilder sb, string label, List<string> items)
    {
        if (items.Count == 0) return;
        sb.Append($"\n  {label} ({items.Count}): ");
        sb.Append(string.Join(", ", items.Take(MaxListed)));
        if (items.Count > MaxListed) sb.Append($", … and {items.Count - MaxListed} more");
    }
}
