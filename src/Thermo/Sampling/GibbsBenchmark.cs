using System.Diagnostics;
using Thermo.Ising;
using Thermo.Randomness;

namespace Thermo.Sampling;

/// <summary>
/// The side-by-side <c>gibbs</c> workload of shared/bench/torch_peer.py: the Ising network
/// 1×28×28 (clamped ±1) → 32×14×14 (conv 4×4, stride 2, pad 1) → 64×7×7 (conv 4×4, stride 2, pad 1) → 10
/// (dense), symmetric couplings with temperature gradient δ = 0.5, β = 1, weights drawn at the peer's scales
/// (W₁·0.5, W₂·0.05, W₃·0.02, biases·0.1 times standard normals), 256 chains each with its own random input,
/// red-black sweeps (layers 1 and 3, then layer 2) with the output spins accumulated every sweep; 20 sweeps
/// timed, 3 repeats after one warm-up. Metric: 9418 spins × chains × sweeps / second.
/// </summary>
public static class GibbsBenchmark
{
    /// <summary>Peer's chains, timed sweeps and repeats.</summary>
    public const int Chains = 256, Sweeps = 20, Repeats = 3;

    /// <summary>Free spins per chain: 32·14·14 + 64·7·7 + 10.</summary>
    public const int SpinsPerChain = 32 * 14 * 14 + 64 * 7 * 7 + 10;

    /// <summary>The benchmark network.</summary>
    public static IsingProgram Network(ulong seed = 0)
    {
        float[] Normal(ulong stream, int n, float scale)
        {
            var z = new float[(n + 3) & ~3];
            Philox.FillNormal(seed, stream, 0, z);
            var r = new float[n];
            for (int i = 0; i < n; i++) r[i] = z[i] * scale;
            return r;
        }
        float[] PerChannel(float[] b, int plane) => b.SelectMany(v => Enumerable.Repeat(v, plane)).ToArray();
        var w1 = Normal(1, 32 * 16, 0.5f);
        var w2 = Normal(2, 64 * 32 * 16, 0.05f);
        var w3 = Normal(3, 10 * 64 * 49, 0.02f);
        var b1 = Normal(4, 32, 0.1f); var b2 = Normal(5, 64, 0.1f); var b3 = Normal(6, 10, 0.1f);
        return new IsingProgram(
            [new SpinLayer("x", [1, 28, 28], isInput: true), new SpinLayer("h1", [32, 14, 14]), new SpinLayer("h2", [64, 7, 7]), new SpinLayer("y", [10])],
            [new ConvCoupling(0, 1, w1, 4, 2, 1), new ConvCoupling(1, 2, w2, 4, 2, 1), new DenseCoupling(2, 3, w3)],
            [null, PerChannel(b1, 196), PerChannel(b2, 49), b3],
            beta: 1f, delta: 0.5f);
    }

    /// <summary>One random ±1 image per chain, as the peer draws them.</summary>
    public static InputBatch Inputs(int count = Chains, ulong seed = 0)
    {
        var v = new sbyte[count * 784];
        var words = new uint[v.Length];
        PhiloxVector.FillWords(seed, 7, 0, words);
        for (int i = 0; i < v.Length; i++) v[i] = (words[i] >> 31) == 0 ? (sbyte)-1 : (sbyte)1;
        return new InputBatch(v, count, 784);
    }

    /// <summary>
    /// Seconds per <paramref name="sweeps"/> sweeps of <paramref name="inputs"/> chains with <paramref name="sampler"/>:
    /// one warm-up run, then the mean of <paramref name="repeats"/> runs, each observing the output layer every sweep.
    /// </summary>
    public static double Measure(GibbsSampler sampler, InputBatch inputs, int sweeps = Sweeps, int repeats = Repeats)
    {
        var request = new SamplingRequest(inputs, 1, new Schedule(0, sweeps), 1);
        int output = sampler.Program.Layers.Count - 1;
        sampler.Run(request, new SignAverageObserver(output));
        long start = Stopwatch.GetTimestamp();
        for (int r = 0; r < repeats; r++) sampler.Run(request with { Seed = (ulong)r + 2 }, new SignAverageObserver(output));
        return Stopwatch.GetElapsedTime(start).TotalSeconds / repeats;
    }
}
