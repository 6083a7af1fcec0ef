namespace Thermo.Tensors;

/// <summary>
/// Recycles float buffers of exact lengths. Tensors created inside a <see cref="TensorScope"/> rent from
/// here and are returned when the scope ends, so a steady-state training step allocates nothing large.
/// </summary>
public static class TensorPool
{
    static readonly Dictionary<int, Stack<float[]>> Free = new();
    static readonly Lock Gate = new();
    static long pooledFloats;

    /// <summary>Upper bound on floats kept for reuse (default 1 Gi floats = 4 GiB); beyond it buffers go to the GC.</summary>
    public static long MaxPooledFloats { get; set; } = 1L << 30;

    /// <summary>Rents a buffer of exactly <paramref name="length"/> floats; contents are undefined.</summary>
    public static float[] Rent(int length)
    {
        if (length == 0) return [];
        lock (Gate)
        {
            if (Free.TryGetValue(length, out var stack) && stack.Count > 0)
            {
                pooledFloats -= length;
                return stack.Pop();
            }
        }
        return GC.AllocateUninitializedArray<float>(length);
    }

    /// <summary>Returns a buffer for reuse. The caller must not touch it afterwards.</summary>
    public static void Return(float[] buffer)
    {
        if (buffer.Length == 0) return;
        lock (Gate)
        {
            if (pooledFloats + buffer.Length > MaxPooledFloats) return;
            if (!Free.TryGetValue(buffer.Length, out var stack)) Free[buffer.Length] = stack = new Stack<float[]>();
            stack.Push(buffer);
            pooledFloats += buffer.Length;
        }
    }

    /// <summary>Drops every pooled buffer (e.g. after evaluation at a different batch size).</summary>
    public static void Clear()
    {
        lock (Gate) { Free.Clear(); pooledFloats = 0; }
    }
}

/// <summary>
/// A region (typically one training or evaluation step) whose intermediate tensors are pooled.
/// Tensors created while the scope is the innermost active scope on this thread are released when it is
/// disposed; copy out anything you keep (e.g. <c>loss.Item()</c>) before that.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] static TensorScope? current;
    readonly TensorScope? outer;
    readonly List<float[]> owned = new(256);
    bool disposed;

    /// <summary>Opens a scope on the current thread.</summary>
    public TensorScope()
    {
        outer = current;
        current = this;
    }

    internal static float[] Allocate(int length)
    {
        var scope = current;
        if (scope is null) return length == 0 ? [] : new float[length];
        var buffer = TensorPool.Rent(length);
        scope.owned.Add(buffer);
        return buffer;
    }

    /// <summary>Releases all buffers allocated in this scope.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (current != this) throw new InvalidOperationException("TensorScopes must be disposed in reverse order of creation");
        current = outer;
        foreach (var b in owned) TensorPool.Return(b);
        owned.Clear();
    }
}
