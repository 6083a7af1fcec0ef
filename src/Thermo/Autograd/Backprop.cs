using Thermo.Tensors;

namespace Thermo.Autograd;

/// <summary>Whether operations record autograd history on this thread (off inside <see cref="NoGrad"/>).</summary>
public static class GradMode
{
    [ThreadStatic] static int disabledDepth;

    [ThreadStatic] static long recorded;

    /// <summary>True when operations record history.</summary>
    public static bool Enabled => disabledDepth == 0;

    /// <summary>Graph nodes recorded on this thread so far (tests use it to prove that inference records none).</summary>
    internal static long RecordedOnThisThread => recorded;

    internal static void CountRecorded() => recorded++;

    /// <summary>Disables recording until the returned handle is disposed (inference, evaluation, optimiser steps).</summary>
    public static NoGradScope NoGrad()
    {
        disabledDepth++;
        return new NoGradScope();
    }

    /// <summary>Handle returned by <see cref="NoGrad"/>.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        /// <summary>Re-enables recording.</summary>
        public void Dispose() => disabledDepth--;
    }
}

/// <summary>Reverse-mode differentiation over the recorded graph (define-by-run, like PyTorch).</summary>
public static class Backprop
{
    /// <summary>Backpropagates from a scalar <paramref name="root"/> with seed gradient 1.</summary>
    public static void Run(Tensor root)
    {
        if (root.Length != 1) throw new InvalidOperationException($"Backward() needs a scalar, got shape {root.ShapeString}");
        if (!root.RequiresGrad) throw new InvalidOperationException("Backward() on a tensor that does not require grad");
        var order = TopologicalOrder(root);
        var seed = GradBuffer.Sink(root, out _);
        seed[0] = 1f;
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            var g = t.Grad;
            if (g is null) continue;
            t.GradFn!.Backward(g);
        }
    }

    static List<Tensor> TopologicalOrder(Tensor root)
    {
        // Iterative post-order DFS over tensors that have a GradFn; leaves are reached through Inputs.
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor T, int Next)>();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.GradFn?.Inputs;
            if (inputs is not null && next < inputs.Length)
            {
                stack.Push((t, next + 1));
                var child = inputs[next];
                if (child.RequiresGrad && child.GradFn is not null && visited.Add(child)) stack.Push((child, 0));
                continue;
            }
            if (t.GradFn is not null) order.Add(t);
        }
        return order;
    }
}

/// <summary>Gradient storage rules shared by every backward function.</summary>
internal static class GradBuffer
{
    /// <summary>
    /// The gradient buffer of <paramref name="t"/>. When <paramref name="overwrite"/> is true the buffer holds
    /// no valid gradient yet (fresh, or zeroed by <c>ZeroGrad</c>) and the caller must write every element;
    /// otherwise the caller must add into it.
    /// </summary>
    public static float[] Sink(Tensor t, out bool overwrite)
    {
        if (t.GradStorage is null)
        {
            // Leaves (parameters, inputs) keep their gradient across scopes; intermediates pool it.
            t.GradStorage = t.GradFn is null ? new Tensor(new float[t.Length], t.Shape) : Tensor.Empty(t.Shape);
            t.GradValid = true;
            overwrite = true;
        }
        else if (!t.GradValid)
        {
            t.GradValid = true;
            overwrite = true;
        }
        else overwrite = false;
        return t.GradStorage.Data;
    }

    /// <summary>grad(t) += contribution (or = when fresh).</summary>
    public static void Accumulate(Tensor t, ReadOnlySpan<float> contribution)
    {
        var g = Sink(t, out bool overwrite);
        Thermo.Kernels.Elementwise.Accumulate(contribution, g, overwrite);
    }
}
