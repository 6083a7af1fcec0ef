namespace Thermo.Tensors;

/// <summary>
/// Recycles float buffers of exact lengths. Tensors created inside a <see cref="TensorScope"/> rent from
/// here and are returned when the scope ends, so a steady-state training step allocates nothing large.
/// </summary>
public static class TensorPool
{
    static readonly Dictionary<int, Stack<float[]>> Free = new();
    static readonly Lock Gate = new();
    static long pooledFloats, largestScopeFloats;

    /// <summary>
    /// Floats the pool keeps room for whatever the scopes have needed (default 2²⁸ floats = 1 GiB). See
    /// <see cref="CapacityFloats"/>.
    /// </summary>
    public static long BaseCapacityFloats { get; set; } = 1L << 28;

    /// <summary>The most floats one <see cref="TensorScope"/> has returned at once since the last <see cref="Clear"/>.</summary>
    public static long LargestScopeFloats
    {
        get { lock (Gate) return largestScopeFloats; }
    }

    /// <summary>
    /// Upper bound on floats kept for reuse: max(<see cref="BaseCapacityFloats"/>, <see cref="LargestScopeFloats"/>);
    /// beyond it returned buffers go to the GC. Growing with the largest scope means a loop of same-shaped steps
    /// allocates nothing after its first step, however large the step (a fixed 1 GiB cap made every step of the
    /// two-pass CIFAR-10 network allocate its overflow afresh: 35 000 page faults per step, and 1.45× the time per step;
    /// docs/benchmarks.md, "The two-pass CIFAR-10 training step"), while the pool never holds more than the base or one
    /// step's own buffers.
    /// </summary>
    public static long CapacityFloats
    {
        get { lock (Gate) return Math.Max(BaseCapacityFloats, largestScopeFloats); }
    }

    /// <summary>Floats currently held for reuse.</summary>
    public static long PooledFloats
    {
        get { lock (Gate) return pooledFloats; }
    }

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
            if (pooledFloats + buffer.Length > Math.Max(BaseCapacityFloats, largestScopeFloats)) return;
            if (!Free.TryGetValue(buffer.Length, out var stack)) Free[buffer.Length] = stack = new Stack<float[]>();
            stack.Push(buffer);
            pooledFloats += buffer.Length;
        }
    }

    /// <summary>The buffers pooled now, for <see cref="ReleaseSince"/>.</summary>
    public static TensorPoolMark Mark()
    {
        var held = new HashSet<float[]>(ReferenceEqualityComparer.Instance);
        lock (Gate)
            foreach (var stack in Free.Values)
                foreach (var b in stack) held.Add(b);
        return new TensorPoolMark(held);
    }

    /// <summary>
    /// Drops every pooled buffer that was not pooled at <paramref name="mark"/>: what a phase with its own shapes (an
    /// evaluation between training epochs) added, while the buffers pooled before it stay for the steps after it.
    /// </summary>
    public static void ReleaseSince(TensorPoolMark mark)
    {
        var held = mark.Held;
        lock (Gate)
        {
            foreach (var (length, stack) in Free)
            {
                if (stack.Count == 0) continue;
                var keep = stack.Where(held.Contains).Reverse().ToArray();
                pooledFloats -= (long)(stack.Count - keep.Length) * length;
                stack.Clear();
                foreach (var b in keep) stack.Push(b);
            }
        }
    }

    /// <summary>
    /// Returns the buffers a scope owned, after raising <see cref="LargestScopeFloats"/> to their total so that they
    /// all fit.
    /// </summary>
    internal static void ReturnScope(List<float[]> owned)
    {
        long total = 0;
        foreach (var b in owned) total += b.Length;
        lock (Gate) largestScopeFloats = Math.Max(largestScopeFloats, total);
        foreach (var b in owned) Return(b);
    }

    /// <summary>
    /// Drops every pooled buffer (e.g. after evaluation at a different batch size) for the GC to reclaim, and forgets
    /// the scope sizes seen so far (<see cref="LargestScopeFloats"/> restarts at 0).
    /// </summary>
    public static void Clear()
    {
        lock (Gate) { Free.Clear(); pooledFloats = 0; largestScopeFloats = 0; }
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
    [ThreadStatic] static long liveFloats, peakFloats;
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
        liveFloats += length;
        if (liveFloats > peakFloats) peakFloats = liveFloats;
        return buffer;
    }

    /// <summary>
    /// Hands the storage of <paramref name="tensor"/> from this scope to the enclosing one (to the GC when there is
    /// none), so it outlives this scope while everything else allocated here is released. Inference uses this to
    /// free each stage's intermediates as soon as the stage ends (see Autograd's <c>InferenceStage</c>). A tensor whose
    /// storage this scope does not own (a view of an outer tensor, a parameter) is returned unchanged.
    /// </summary>
    public Tensor Keep(Tensor tensor)
    {
        if (disposed) throw new ObjectDisposedException(nameof(TensorScope));
        int i = owned.LastIndexOf(tensor.Data);
        if (i < 0) return tensor;
        owned.RemoveAt(i);
        if (outer is not null) outer.owned.Add(tensor.Data);
        else liveFloats -= tensor.Data.Length;
        return tensor;
    }

    /// <summary>
    /// The most floats that scopes on this thread have held at once since <see cref="ResetPeak"/>: the working set
    /// of the tensors a computation allocates (kernel scratch and data batches are outside it).
    /// </summary>
    public static long PeakFloatsOnThisThread => peakFloats;

    /// <summary>Starts a new peak measurement at the floats held now.</summary>
    public static void ResetPeak() => peakFloats = liveFloats;

    /// <summary>Releases all buffers allocated in this scope.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (current != this) throw new InvalidOperationException("TensorScopes must be disposed in reverse order of creation");
        current = outer;
        foreach (var b in owned) liveFloats -= b.Length;
        TensorPool.ReturnScope(owned);
        owned.Clear();
    }
}
