using Thermo.Ising;
using Thermo.Sampling;
using Thermo.Tests.Sampling;

namespace Thermo.Tests.Ising;

public class CouplingQuantizerTests
{
    [Fact]
    public void Quantised_couplings_lie_on_the_int8_grid_within_half_a_step()
    {
        var program = LayeredSamplerTests.IntegerLayered(4, integer: false);
        var (q, scales) = CouplingQuantizer.Quantize(program, bits: 8);
        for (int k = 0; k < program.Couplings.Count; k++)
        {
            var w = ((ConvCoupling?)(program.Couplings[k] as ConvCoupling))?.Weight ?? ((DenseCoupling)program.Couplings[k]).Weight;
            var wq = ((ConvCoupling?)(q.Couplings[k] as ConvCoupling))?.Weight ?? ((DenseCoupling)q.Couplings[k]).Weight;
            for (int i = 0; i < w.Length; i++)
            {
                float steps = wq[i] / scales[k];
                Assert.Equal(MathF.Round(steps), steps, 3);
                Assert.InRange(MathF.Abs(steps), 0, 127);
                Assert.True(MathF.Abs(wq[i] - w[i]) <= 0.5f * scales[k] * 1.0001f);
            }
        }
    }

    [Fact]
    public void With_power_of_two_scales_every_sampler_runs_the_quantised_program_exactly()
    {
        // Dyadic biases too, so that every field is exact whatever the summation order.
        var p = LayeredSamplerTests.IntegerLayered(5, integer: false, beta: 0.5f);
        var dyadic = Enumerable.Range(0, p.Layers.Count).Select(l => p.Bias(l)?.Select(b => MathF.Round(b * 64) / 64).ToArray());
        p = new IsingProgram(p.Layers, p.Couplings, dyadic, p.Beta, p.Delta);
        var (q, _) = CouplingQuantizer.Quantize(p, bits: 8, powerOfTwoScale: true);
        var batch = new InputBatch(Enumerable.Range(0, q.InputSpinCount).Select(i => (sbyte)(i % 3 == 0 ? 1 : -1)).ToArray(), 1, q.InputSpinCount);
        var request = new SamplingRequest(batch, 3, new Schedule(2, 20), 6);
        long[] Sums(SamplerKind kind)
        {
            var m = new MagnetizationObserver();
            GibbsSampler.Create(q, kind).Run(request, m);
            return m.Sums(0).ToArray();
        }
        var reference = Sums(SamplerKind.Reference);
        Assert.Equal(reference, Sums(SamplerKind.Float32));
        Assert.Equal(reference, Sums(SamplerKind.Table));
        Assert.Equal(reference, Sums(SamplerKind.Incremental));
    }
}
