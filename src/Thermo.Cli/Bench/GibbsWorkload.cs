using System.CommandLine;
using System.Diagnostics;
using Thermo.Kernels;
using Thermo.Devices;
using Thermo.Sampling;
using Thermo.Tensors;

namespace Thermo.Cli.Bench;

/// <summary>
/// The peer's <c>gibbs</c> (see <see cref="GibbsBenchmark"/>): <c>--chains</c> chains (default 256, the peer's) of the
/// 1×28×28 → 32×14×14 → 64×7×7 → 10 Ising network, 20 red-black sweeps per call, 3 timed calls after 1 warm-up.
/// <c>spin_updates_per_second</c> = 9418 spins × chains × sweeps / seconds. On <c>--device cpu</c> it is the float32
/// multiply-add sampler (the peer's representation) with the faithful faster representations beside it; on a device
/// it is <see cref="DeviceGibbsSampler"/>. <c>--verify</c> first checks the device chain against the CPU samplers
/// (<see cref="GibbsDeviceCheck"/>) and makes the exit code non-zero on a mismatch.
/// </summary>
public sealed class GibbsWorkload : IBenchWorkload
{
    readonly Option<string> device = CommonOptions.Device();
    readonly Option<int> chains = new Option<int>("--chains") { Description = "chains, each with its own random input (the peer's --chains; GPU runs: 65536)", DefaultValueFactory = _ => GibbsBenchmark.Chains }.Within(1, 1 << 24);
    readonly Option<bool> verify = new("--verify") { Description = "first check that the device reproduces the CPU samplers' chains bit for bit (exit code 3 if not)" };

    /// <inheritdoc/>
    public string Name => "gibbs";
    /// <inheritdoc/>
    public string Description => "block Gibbs sweeps of a conv Ising network, 256 chains (metric: spin_updates_per_second)";
    /// <inheritdoc/>
    public IReadOnlyList<Option> Options => [device, chains, verify];

    /// <inheritdoc/>
    public BenchResult Run() => Run(DeviceKind.Cpu, GibbsBenchmark.Chains, false);

    /// <inheritdoc/>
    public BenchResult Run(ParseResult parse) => Run(DeviceNames.Parse(parse.GetValue(device)!), parse.GetValue(chains), parse.GetValue(verify));

    static BenchResult Run(DeviceKind kind, int chainCount, bool verify)
    {
        if (chainCount < 1) throw new ArgumentException($"--chains must be at least 1, got {chainCount}");
        using var opened = ComputeDevice.Open(kind);
        var program = GibbsBenchmark.Network();
        var inputs = GibbsBenchmark.Inputs(chainCount);
        double updates = (double)GibbsBenchmark.SpinsPerChain * chainCount * GibbsBenchmark.Sweeps;
        double Rate(GibbsSampler sampler)
        {
            int output = program.Layers.Count - 1;
            ulong seed = 1;
            var request = new SamplingRequest(inputs, 1, new Schedule(0, GibbsBenchmark.Sweeps), seed);
            // One call = 20 sweeps of every chain, accumulating the output spins every sweep like the peer.
            double seconds = BenchWorkloads.Timed(() => sampler.Run(request with { Seed = seed++ }, new SignAverageObserver(output)), GibbsBenchmark.Repeats);
            return updates / seconds;
        }
        var result = new BenchResult("gibbs", "spin_updates_per_second", "spin updates/s")
            .Add("chains", chainCount)
            .Add("sweeps", GibbsBenchmark.Sweeps);
        if (opened is null)
        {
            if (verify) throw new ArgumentException("--verify compares a device with the CPU engine: give --device cuda or ilgpu-cpu");
            double float32 = Rate(GibbsSampler.Create(program, SamplerKind.Float32));
            double table = Rate(GibbsSampler.Create(program, SamplerKind.Table));
            double incremental = Rate(GibbsSampler.Create(program, SamplerKind.Incremental));
            var (fastestName, fastest) = table >= incremental ? ("float32-table", table) : ("float32-incremental", incremental);
            return result
                .Add("spin_updates_per_second", float32)
                .Add("sweeps_per_second", float32 / GibbsBenchmark.SpinsPerChain / chainCount)
                .Add("device", "cpu")
                .Add("representation", "float32")
                .Add("couplings", "float32")
                .Add("spin_updates_per_second_float32_table", table)
                .Add("spin_updates_per_second_float32_incremental", incremental)
                .Add("fastest_faithful", fastestName)
                .Add("fastest_faithful_spin_updates_per_second", fastest)
                .Add("threads", ParallelRange.Threads);
        }
        result.Add("device", DeviceNames.Name(opened.Kind)).Add("accelerator", opened.Name);
        if (verify)
        {
            long start = Stopwatch.GetTimestamp();
            var check = GibbsDeviceCheck.Run(opened);
            result.Add("verify_integer_vs_layered_cpu", check.IntegerIdentical ? "identical" : "DIFFERENT")
                .Add("verify_float_vs_reference_cpu", check.FloatIdentical ? "identical" : "DIFFERENT")
                .Add("verify_seconds", Stopwatch.GetElapsedTime(start).TotalSeconds);
            if (!check.IntegerIdentical || !check.FloatIdentical)
            {
                Console.Error.WriteLine($"gibbs --verify: the {DeviceNames.Name(opened.Kind)} chain differs from the CPU's: {check.Detail}");
                result.ExitCode = 3;
            }
        }
        using var sampler = new DeviceGibbsSampler(program, opened);
        double rate = Rate(sampler);
        return result
            .Add("spin_updates_per_second", rate)
            .Add("sweeps_per_second", rate / GibbsBenchmark.SpinsPerChain / chainCount)
            .Add("spin_flips_per_ns", rate / 1e9)
            .Add("representation", sampler.Representation)
            .Add("couplings", "float32")
            .Add("tile_k", sampler.TileK)
            .Add("blocks_per_sm_128_threads", sampler.BlocksPerMultiprocessor(128))
            .Add("blocks_per_sm_256_threads", sampler.BlocksPerMultiprocessor(256))
            .Add("threads", ParallelRange.Threads);
    }
}
