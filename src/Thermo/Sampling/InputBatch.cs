namespace Thermo.Sampling;

/// <summary>
/// Values (±1) for the input-layer spins of a program, one row per input, rows numbered globally from
/// <see cref="FirstIndex"/>: the global index keys the random numbers, so an input's chains are the same
/// whichever batch or shard it is sampled in.
/// </summary>
public sealed class InputBatch
{
    readonly sbyte[] values;

    /// <summary>Number of inputs.</summary>
    public int Count { get; }
    /// <summary>Input spins per row (the program's input spin count, in global spin order).</summary>
    public int Width { get; }
    /// <summary>Global index of row 0.</summary>
    public long FirstIndex { get; }

    /// <summary>Wraps rows of ±1 values ([count, width] row-major).</summary>
    public InputBatch(sbyte[] values, int count, int width, long firstIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (count < 0 || width < 0 || (long)count * width != values.Length)
            throw new ArgumentException($"input batch: {values.Length} values do not form {count} rows of {width}");
        if (firstIndex < 0) throw new ArgumentException($"input batch: first index {firstIndex} must be ≥ 0");
        for (int i = 0; i < values.Length; i++)
            if (values[i] is not (1 or -1)) throw new ArgumentException($"input batch: value {values[i]} at row {i / Math.Max(width, 1)} is not ±1");
        this.values = values; Count = count; Width = width; FirstIndex = firstIndex;
    }

    /// <summary>One input of a program without input layers.</summary>
    public static InputBatch None { get; } = new([], 1, 0);

    /// <summary>Binarises real inputs by sign (x &gt; 0 → +1, otherwise −1).</summary>
    public static InputBatch FromSigns(ReadOnlySpan<float> values, int count, long firstIndex = 0)
    {
        if (count <= 0 || values.Length % count != 0) throw new ArgumentException($"input batch: {values.Length} values do not split into {count} rows");
        var s = new sbyte[values.Length];
        for (int i = 0; i < s.Length; i++) s[i] = values[i] > 0 ? (sbyte)1 : (sbyte)-1;
        return new InputBatch(s, count, values.Length / count, firstIndex);
    }

    /// <summary>Input row <paramref name="slot"/>.</summary>
    public ReadOnlySpan<sbyte> Row(int slot) => values.AsSpan(slot * Width, Width);

    /// <summary>Rows [start, start + count) as a batch with the right global indices.</summary>
    public InputBatch Slice(int start, int count) =>
        new(values.AsSpan(start * Width, count * Width).ToArray(), count, Width, FirstIndex + start);
}
