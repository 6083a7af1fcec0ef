using Thermo.Devices;
using Thermo.Ising;
using Thermo.Randomness;
using Thermo.Sampling;

namespace Thermo.Tests.Sampling;

/// <summary>ILGPU's CPU accelerator for the device tests: opened once, so the kernels compile once.</summary>
public sealed class IlgpuCpuFixture : IDisposable
{
    public ComputeDevice Device { get; } = ComputeDevice.Open(DeviceKind.IlgpuCpu)!;
    public void Dispose() => Device.Dispose();
}

/// <summary>
/// The device sampler on ILGPU's CPU accelerator (the same kernels CUDA runs) against its references: the
/// layered CPU sampler and the reference sampler chain for chain, and exact enumeration statistically.
/// </summary>
public class DeviceSamplerTests(IlgpuCpuFixture fixture) : IClassFixture<IlgpuCpuFixture>
{
    readonly ComputeDevice device = fixture.Device;

    static void AssertSameTraces(sbyte[][] expected, sbyte[][] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(expected[i].AsSpan().SequenceEqual(actual[i]), $"{what}: series {i} differs");
    }

    [Theory]
    [InlineData(3, 1, 1, 4, 2, 1, false, 0)]
    [InlineData(4, 2, 1, 3, 1, 0, true, 3)]
    public void Device_sampler_reproduces_the_layered_cpu_chain_exactly_on_integer_couplings(int k1, int s1, int p1, int k2, int s2, int p2, bool pinned, int batch)
    {
        // Conv and dense couplings, feedback both ways, δ = 1/2, clamped inputs, pinned spins; batch 3 splits the 4 chains across launches.
        var program = LayeredSamplerTests.IntegerLayered(5, k1, s1, p1, k2, s2, p2, pinned);
        var cpu = LayeredSamplerTests.Traces(new LayeredGibbsSampler(program), 2, 2, 12, 9);
        using var sampler = new DeviceGibbsSampler(program, device) { MaxBatchItems = batch };
        AssertSameTraces(cpu, LayeredSamplerTests.Traces(sampler, 2, 2, 12, 9), "device vs layered");
    }

    [Fact]
    public void Device_sampler_reproduces_the_reference_chain_exactly_on_float_couplings()
    {
        // Each field is the reference's sum in the reference's order, so identity holds beyond integer couplings.
        var program = LayeredSamplerTests.IntegerLayered(6, integer: false, beta: 0.3f);
        var reference = LayeredSamplerTests.Traces(new ReferenceGibbsSampler(program), 1, 3, 10, 4);
        using var sampler = new DeviceGibbsSampler(program, device);
        AssertSameTraces(reference, LayeredSamplerTests.Traces(sampler, 1, 3, 10, 4), "device vs reference");
    }

    [Theory]
    [InlineData(32)]
    [InlineData(5)]
    public void Device_sampler_reproduces_the_reference_chain_when_groups_and_chains_span_several_tiles(int tileK)
    {
        // 150 items: 16 threads along chains (the CPU accelerator's 16-thread groups), so tiles of 8 rows; the
        // 17-channel conv and 20-unit dense groups span 3 tiles each, the chains 2 tiles (the second partly
        // filled), and the state stride (152) pads the last word; 5 neighbours per tile leave partial tiles.
        var program = LayeredSamplerTests.IntegerLayered(8, integer: false, beta: 0.4f);
        var reference = LayeredSamplerTests.Traces(new ReferenceGibbsSampler(program), 5, 30, 5, 6);
        using var sampler = new DeviceGibbsSampler(program, device) { TileK = tileK };
        AssertSameTraces(reference, LayeredSamplerTests.Traces(sampler, 5, 30, 5, 6), "device vs reference");
    }

    [Fact]
    public void Sign_averages_reduced_on_the_device_equal_the_cpu_observer_across_shards_and_batches()
    {
        var program = LayeredSamplerTests.IntegerLayered(7, pinned: true);
        var values = new sbyte[3 * program.InputSpinCount];
        for (int i = 0; i < values.Length; i++) values[i] = Philox.Uniform(2, 5, (ulong)i) < 0.5f ? (sbyte)1 : (sbyte)-1;
        var request = new SamplingRequest(new InputBatch(values, 3, program.InputSpinCount, firstIndex: 10), 4, new Schedule(3, 5, 2, annealStart: 0.5f, annealSweeps: 4), 21);
        using var sampler = new DeviceGibbsSampler(program, device) { MaxBatchItems = 5 };
        foreach (var shard in new[] { Shard.All, new Shard(1, 3) })
        {
            var cpu = new SignAverageObserver(2, 4);
            var gpu = new SignAverageObserver(2, 4);
            new LayeredGibbsSampler(program).Run(request with { Shard = shard }, cpu);
            sampler.Run(request with { Shard = shard }, gpu);
            var (start, end) = shard.Range(request.Items);
            Assert.True(end > start);
            for (int slot = 0; slot < 3; slot++)
                for (int c = 0; c < 4; c++)
                {
                    Assert.Equal(cpu.Count(slot, c), gpu.Count(slot, c));
                    Assert.True(cpu.Sums(slot, c).SequenceEqual(gpu.Sums(slot, c)), $"shard {shard}: sums of ({slot}, {c}) differ");
                }
            int item = start;
            Assert.Equal(5, gpu.Count(item / 4, item % 4));
        }
    }

    [Fact]
    public void Small_conv_program_on_the_device_matches_exact_enumeration()
    {
        var (program, input) = LayeredSamplerTests.SmallConvProgram();
        using var sampler = new DeviceGibbsSampler(program, device);
        ReferenceSamplerTests.AssertAgreesWithEnumeration(sampler, input);
    }

    [Fact]
    public void Sparse_program_with_greedy_colouring_on_the_device_matches_exact_enumeration()
    {
        using var sampler = new DeviceGibbsSampler(RandomPrograms.Sparse(12, 0.3f, 1f, 23, pinned: [(3, 1)]), device);
        ReferenceSamplerTests.AssertAgreesWithEnumeration(sampler);
    }

    [Fact]
    public void Device_names_parse_and_the_cpu_engine_opens_no_accelerator()
    {
        foreach (var name in DeviceNames.All) Assert.Equal(name, DeviceNames.Name(DeviceNames.Parse(name)));
        Assert.Throws<ArgumentException>(() => DeviceNames.Parse("tpu"));
        Assert.Null(ComputeDevice.Open(DeviceKind.Cpu));
        Assert.Equal(DeviceKind.IlgpuCpu, device.Kind);
        using var auto = ComputeDevice.Open(DeviceKind.Auto);
        Assert.True(auto is null || auto.Kind == DeviceKind.Cuda);
    }
}
