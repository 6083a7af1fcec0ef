using Thermo.Ising;
using Thermo.Randomness;
using Thermo.Sampling;

namespace Thermo.Tests.Sampling;

/// <summary>
/// Every spin kernel of the layered samplers against its scalar reference (<see cref="ReferenceSpinKernels"/>) on the ops
/// and layers of programs with every coupling kind: convolutions of several geometries and their stride-phase
/// transposes, dense blocks, channel counts below 16, between blocks and above 64. Weights are integers and δ = 1/2, so
/// every field is exact in float32 and the comparisons are exact whatever the summation order.
/// </summary>
public unsafe class SpinKernelTests
{
    static IsingProgram Wide(ulong seed)
    {
        float[] W(int n, ulong stream) => Enumerable.Range(0, n).Select(i => (float)((int)(Philox.Uniform(seed, stream, (ulong)i) * 5) - 2)).ToArray();
        // 70 channels (padded to 80) make the transposed convolution into h wider than the 64-channel kernels.
        return new IsingProgram(
            [new SpinLayer("x", [2, 6, 6], isInput: true), new SpinLayer("h", [70, 6, 6]), new SpinLayer("g", [4, 3, 3]), new SpinLayer("y", [20])],
            [new ConvCoupling(0, 1, W(70 * 2 * 9, 1), 3, 1, 1), new ConvCoupling(1, 2, W(4 * 70 * 4, 2), 2, 2, 0), new DenseCoupling(2, 3, W(20 * 4 * 9, 3))],
            [null, W(70 * 36, 4), null, W(20, 5)], 0.2f, 0.5f);
    }

    public static TheoryData<string> Programs => new() { "default", "strided", "wide" };

    static LayeredPlan Plan(string name) => new(name switch
    {
        "default" => LayeredSamplerTests.IntegerLayered(3),
        "strided" => LayeredSamplerTests.IntegerLayered(5, k1: 2, s1: 2, p1: 0, k2: 3, s2: 1, p2: 1),
        _ => Wide(7),
    });

    /// <summary>A spin buffer of <paramref name="layer"/>: ±1 in its real channels, 0 in padding channels and the border.</summary>
    static AlignedArray<float> Spins(LayerLayout layer, ulong seed)
    {
        var spins = new AlignedArray<float>(layer.SpinLength);
        for (int y = 0; y < layer.H; y++)
            for (int x = 0; x < layer.W; x++)
                for (int c = 0; c < layer.C; c++)
                {
                    int i = layer.SpinIndex(c, y, x);
                    spins.Span[i] = Philox.Uniform(seed, 1, (ulong)i) < 0.5f ? 1 : -1;
                }
        return spins;
    }

    static AlignedArray<float> Field(LayerLayout layer, ulong seed)
    {
        var field = new AlignedArray<float>(layer.FieldLength);
        for (int i = 0; i < field.Length; i++) field.Span[i] = (int)(Philox.Uniform(seed, 2, (ulong)i) * 9) - 4;
        return field;
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void Gather_equals_the_scalar_sum_over_taps_and_channels(string program)
    {
        var plan = Plan(program);
        Assert.Contains(plan.Ops, op => op.TapOffset.Length > 1);
        foreach (var op in plan.Ops)
        {
            var spins = Spins(plan.Layouts[op.Source], 11);
            var field = Field(plan.Layouts[op.Target], 12);
            var expected = field.Span.ToArray();
            ReferenceSpinKernels.Gather(op, spins.Span, expected);
            GatherKernel.Apply(op, spins.Pointer, field.Pointer);
            Assert.True(expected.AsSpan().SequenceEqual(field.Span), $"{op.Name}: the kernel's field differs from the reference");
        }
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void Flip_gather_adds_exactly_the_flipped_spins_contribution(string program)
    {
        var plan = Plan(program);
        int checkedOps = 0;
        foreach (var op in plan.Ops.Where(op => !plan.Layouts[op.Source].IsInput))
        {
            var source = plan.Layouts[op.Source];
            var spins = Spins(source, 21);
            var flips = new ulong[source.SpinLength / 64 + 2];
            for (int i = 0; i < source.SpinLength; i++)
                if (spins.Span[i] != 0 && Philox.Uniform(22, 3, (ulong)i) < 0.2f) flips[i >> 6] |= 1UL << (i & 63);
            var field = Field(plan.Layouts[op.Target], 23);
            var expected = field.Span.ToArray();
            ReferenceSpinKernels.FlipGather(op, spins.Span, flips, expected);
            fixed (ulong* f = flips) FlipGatherKernel.Apply(op, spins.Pointer, f, field.Pointer, new FlipScratch());
            Assert.True(expected.AsSpan().SequenceEqual(field.Span), $"{op.Name}: the kernel's field differs from the reference");
            checkedOps++;
        }
        Assert.True(checkedOps >= 2);
        if (program == "wide") Assert.Contains(plan.Ops, op => op.TargetChannels > 64 && op.TargetBase.Length > 1 && !plan.Layouts[op.Source].IsInput);
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void Table_gather_equals_the_gather_of_the_coded_spins(string program)
    {
        var plan = Plan(program);
        int checkedOps = 0;
        foreach (var op in plan.Ops)
        {
            if (plan.Table(op) is not { } table) continue;
            var source = plan.Layouts[op.Source];
            var codes = new byte[source.SpinLength / 4 + 16];
            for (int i = 0; i < codes.Length; i++) codes[i] = (byte)(Philox.Uniform(31, 4, (ulong)i) * 16);
            var field = Field(plan.Layouts[op.Target], 32);
            var expected = field.Span.ToArray();
            ReferenceSpinKernels.TableGather(table, source, codes, expected);
            fixed (byte* c = codes) TableGatherKernel.Apply(table, c, field.Pointer);
            Assert.True(expected.AsSpan().SequenceEqual(field.Span), $"{op.Name}: the kernel's field differs from the reference");
            checkedOps++;
        }
        Assert.True(checkedOps >= 1);
    }

    [Theory]
    [InlineData(1, 28, 28)]
    [InlineData(32, 14, 14)]
    [InlineData(64, 7, 7)]
    [InlineData(17, 5, 7)]
    [InlineData(10, 1, 1)]
    [InlineData(48, 4, 8)]
    public void ChannelsLast_moves_every_canonical_word_to_its_channel_last_slot(int c, int h, int w)
    {
        var lay = new LayerLayout(new SpinLayer("l", [c, h, w]), 0, 0);
        var canonical = Enumerable.Range(0, c * h * w).Select(i => (uint)i * 2654435761u).ToArray();
        var last = new uint[lay.Cp * h * w];
        var expected = new uint[lay.Cp * h * w];
        ReferenceSpinKernels.ChannelsLast(lay, canonical, expected);
        fixed (uint* a = canonical, b = last) ChannelsLastTranspose.Apply(lay, a, b);
        Assert.Equal(expected, last);
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void Initialize_and_threshold_draw_the_reference_spins_flips_and_codes(string program)
    {
        var plan = Plan(program);
        foreach (var layer in plan.Layouts.Where(l => !l.IsInput))
        {
            var words = new AlignedArray<uint>(layer.FieldLength);
            PhiloxVector.FillWords(41, (ulong)layer.Index, 0, words.Span);
            var spins = new AlignedArray<float>(layer.SpinLength);
            var codes = new byte[layer.SpinLength / 4 + 16];
            var expectedSpins = new float[layer.SpinLength];
            var expectedCodes = new byte[codes.Length];
            ReferenceSpinKernels.Initialize(layer, expectedSpins, words.Span, expectedCodes);
            fixed (byte* c = codes) ThresholdKernel.Initialize(layer, spins.Pointer, words.Pointer, c);
            Assert.True(expectedSpins.AsSpan().SequenceEqual(spins.Span), $"layer {layer.Index}: initial spins differ");
            Assert.Equal(expectedCodes, codes);

            var field = new AlignedArray<float>(layer.FieldLength);
            for (int i = 0; i < field.Length; i++) field.Span[i] = (Philox.Uniform(42, 5, (ulong)i) - 0.5f) * 6;
            PhiloxVector.FillWords(43, (ulong)layer.Index, 0, words.Span);
            var flips = new ulong[layer.SpinLength / 64 + 2];
            var expectedFlips = new ulong[flips.Length];
            int expectedChanged = ReferenceSpinKernels.Threshold(layer, field.Span, expectedSpins, words.Span, 0.7f, expectedFlips, expectedCodes);
            int changed;
            fixed (ulong* f = flips) fixed (byte* c = codes) changed = ThresholdKernel.Threshold(layer, field.Pointer, spins.Pointer, words.Pointer, 0.7f, f, c);
            Assert.True(expectedSpins.AsSpan().SequenceEqual(spins.Span), $"layer {layer.Index}: thresholded spins differ");
            Assert.Equal(expectedCodes, codes);
            Assert.Equal(expectedFlips, flips);
            Assert.Equal(expectedChanged, changed);
            Assert.InRange(changed, 1, layer.Size - 1);
        }
    }
}
