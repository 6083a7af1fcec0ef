namespace Thermo.Sampling;

/// <summary>
/// A pinned array whose element <see cref="Offset"/> sits on a 64-byte boundary: 512-bit loads from it
/// never straddle two cache lines.
/// </summary>
internal sealed unsafe class AlignedArray<T> where T : unmanaged
{
    public T[] Array { get; }
    public int Offset { get; }
    public int Length { get; }

    public AlignedArray(int length)
    {
        int slack = 64 / sizeof(T);
        Array = GC.AllocateArray<T>(length + slack, pinned: true);
        fixed (T* p = Array) Offset = (int)((64 - ((nint)p & 63)) & 63) / sizeof(T);
        Length = length;
    }

    /// <summary>Pointer to element 0 (valid for the object's lifetime: the array is pinned).</summary>
    public T* Pointer
    {
        get { fixed (T* p = Array) return p + Offset; }
    }

    public Span<T> Span => Array.AsSpan(Offset, Length);

    /// <summary>An aligned copy of <paramref name="values"/>.</summary>
    public static AlignedArray<T> From(ReadOnlySpan<T> values)
    {
        var a = new AlignedArray<T>(values.Length);
        values.CopyTo(a.Span);
        return a;
    }
}
