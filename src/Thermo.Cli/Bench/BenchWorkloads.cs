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
}
