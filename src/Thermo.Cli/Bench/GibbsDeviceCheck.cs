using Thermo.Devices;
using Thermo.Ising;
using Thermo.Randomness;
using Thermo.Sampling;

namespace Thermo.Cli.Bench;

/// <summary>
/// The device tests' check, runnable where there is no test runner (the GPU machine): on the benchmark network's
/// shapes with integer couplings (δ = 1/2, so every field is exact) the device's chains must equal the layered CPU
/// sampler's, and on the benchmark network itself (float couplings) the reference sampler's, spin for spin at every
/// sweep, with the device-side sign-average sums equal to the CPU observer's.
/// </summary>
public static class GibbsDeviceCheck
{
    /// <summary>Outcome: both identities, and which comparison failed first.</summary>
    public sealed record Outcome(bool IntegerIdentical, bool FloatIdentical, string Detail);

    /// <summary>
    /// Runs both comparisons on <paramref name="device"/>: 128 and 16 chains on a GPU (a few seconds, the CPU side
    /// being the slow one), 8 and 2 on ILGPU's CPU accelerator, which runs the kernels about a thousand times slower.
    /// </summary>
    public static Outcome Run(ComputeDevice device)
    {
        bool gpu = device.Kind == DeviceKind.Cuda;
        var integer = IntegerNetwork();
        string? a = Compare(integer, new LayeredGibbsSampler(integer), device, GibbsBenchmark.Inputs(gpu ? 64 : 4, 3), chains: 2, sweeps: gpu ? 8 : 6, "integer couplings vs layered CPU");
        var real = GibbsBenchmark.Network();
        string? b = Compare(real, new ReferenceGibbsSampler(real), device, GibbsBenchmark.Inputs(gpu ? 8 : 2, 5), chains: gpu ? 2 : 1, sweeps: 4, "float couplings vs reference CPU");
        return new Outcome(a is null, b is null, a ?? b ?? "none");
    }

    /// <summary>The benchmark network's layers and couplings with integer weights in [−2, 2] and integer biases, β = 0.05, δ = 1/2.</summary>
    public static IsingProgram IntegerNetwork()
    {
        var shape = GibbsBenchmark.Network();
        float[] Integers(ulong stream, int n)
        {
            var w = new float[n];
            for (int i = 0; i < n; i++) w[i] = (int)(Philox.Uniform(17, stream, (ulong)i) * 5) - 2;
            return w;
        }
        var couplings = new List<Coupling>();
        ulong s = 1;
        foreach (var c in shape.Couplings)
            couplings.Add(c switch
            {
                ConvCoupling conv => new ConvCoupling(conv.Lower, conv.Upper, Integers(s++, conv.Weight.Length), conv.Kernel, conv.Stride, conv.Padding),
                DenseCoupling dense => new DenseCoupling(dense.Lower, dense.Upper, Integers(s++, dense.Weight.Length)),
                _ => throw new InvalidOperationException("the benchmark network has only conv and dense couplings"),
            });
        var biases = Enumerable.Range(0, shape.Layers.Count).Select(l => shape.Layers[l].IsInput ? null : Integers(10 + (ulong)l, shape.Layers[l].Size)).ToArray();
        return new IsingProgram(shape.Layers, couplings, biases, beta: 0.05f, delta: 0.5f);
    }

    static string? Compare(IsingProgram program, GibbsSampler cpu, ComputeDevice device, InputBatch inputs, int chains, int sweeps, string what)
    {
        var free = Enumerable.Range(0, program.Layers.Count).Where(l => !program.Layers[l].IsInput).ToArray();
        var request = new SamplingRequest(inputs, chains, new Schedule(2, sweeps - 2), 11);
        var (cpuTrace, cpuSigns) = (new TraceObserver(free), new SignAverageObserver(free));
        var (devTrace, devSigns) = (new TraceObserver(free), new SignAverageObserver(free));
        cpu.Run(request, cpuTrace, cpuSigns);
        using (var sampler = new DeviceGibbsSampler(program, device)) sampler.Run(request, devTrace, devSigns);
        for (int slot = 0; slot < inputs.Count; slot++)
            for (int c = 0; c < chains; c++)
            {
                for (int i = 0; i < cpuTrace.Size; i++)
                    if (!cpuTrace.Series(slot, c, i).SequenceEqual(devTrace.Series(slot, c, i)))
                        return $"{what}: input {slot}, chain {c}, free spin {i} differs";
                if (!cpuSigns.Sums(slot, c).SequenceEqual(devSigns.Sums(slot, c)) || cpuSigns.Count(slot, c) != devSigns.Count(slot, c))
                    return $"{what}: sign-average sums of input {slot}, chain {c} differ";
            }
        return null;
    }
}
