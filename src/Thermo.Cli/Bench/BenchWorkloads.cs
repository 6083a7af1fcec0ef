using Thermo.Autograd;
using System.Diagnostics;
using System.Reflection;

namespace Thermo.Cli.Bench;

/// <summary>The catalogue of benchmark workloads and the peer's timing method.</summary>
public static class BenchWorkloads
{
    /// <summary>Every <see cref="IBenchWorkload"/> in this assembly, in the peer's order (gemm, gibbs, train, train-cifar, langevin), others after by name.</summary>
    public static IReadOnlyList<IBenchWorkload> All()
    {
        string[] peerOrder = ["gemm", "gibbs", "train", "train-cifar", "langevin"];
        var list = new List<IBenchWorkload>();
        foreach (var type in typeof(BenchWorkloads).Assembly.GetTypes())
        {
            if (type.IsAbstract || type.IsInterface || !typeof(IBenchWorkload).IsAssignableFrom(type)) continue;
            if (type.GetConstructor(Type.EmptyTypes) is not ConstructorInfo ctor) continue;
            list.Add((IBenchWorkload)ctor.Invoke(null));
        }
        int Rank(IBenchWorkload w) => Array.IndexOf(peerOrder, w.Name) is var i && i >= 0 ? i : peerOrder.Length;
        list.Sort((a, b) => Rank(a) != Rank(b) ? Rank(a).CompareTo(Rank(b)) : string.CompareOrdinal(a.Name, b.Name));
        return list;
    }

    /// <summary>
    /// The peer's <c>timed(fn, repeats)</c>: one untimed warm-up call, then the mean wall time of
    /// <paramref name="repeats"/> back-to-back calls, in seconds.
    /// </summary>
    public static double Timed(Action body, int repeats)
    {
        body();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < repeats; i++) body();
        return Stopwatch.GetElapsedTime(start).TotalSeconds / repeats;
    }

    /// <summary>
    /// The peer's training measurement: <paramref name="loss"/> builds one step's loss (inside a tensor scope), which is
    /// backpropagated and applied by <paramref name="optimizer"/>; <paramref name="steps"/> steps per timed call,
    /// <paramref name="repeats"/> timed calls after one warm-up call. Reports images per second.
    /// </summary>
    public static BenchResult TrainingSteps(string workload, Thermo.Optim.Optimizer optimizer, Func<Thermo.Tensors.Tensor> loss, int batch, int steps, int repeats)
    {
        float last = float.NaN;
        void Step()
        {
            optimizer.ZeroGrad();
            using var scope = new Thermo.Tensors.TensorScope();
            var l = loss();
            l.Backward();
            optimizer.Step();
            last = l.Item();
        }

        double seconds = Timed(() => { for (int s = 0; s < steps; s++) Step(); }, repeats);
        return new BenchResult(workload, "images_per_second", "images/s")
            .Add("batch", batch)
            .Add("images_per_second", batch * steps / seconds)
            .Add("step_ms", seconds / steps * 1e3)
            .Add("loss", last)
            .Add("threads", Thermo.Kernels.ParallelRange.Threads)
            .Add("isa", Thermo.Kernels.Gemm.InstructionSet.ToString().ToLowerInvariant());
    }
}
