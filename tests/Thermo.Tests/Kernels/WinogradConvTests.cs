using Thermo.Kernels;
using Xunit.Abstractions;

namespace Thermo.Tests.Kernels;

public class WinogradConvTests(ITestOutputHelper log)
{
    /// <summary>Runs <paramref name="body"/> with the algorithm forced on this thread.</summary>
    static T With<T>(Conv2dAlgorithm algorithm, Func<T> body)
    {
        var saved = Conv2dKernel.ForcedAlgorithm;
        Conv2dKernel.ForcedAlgorithm = algorithm;
        try { return body(); }
        finally { Conv2dKernel.ForcedAlgorithm = saved; }
    }

    /// <summary>Largest |actual − expected| / Σ|terms| over the elements.</summary>
    static double WorstRelative(float[] expected, float[] actual, double[] magnitude)
    {
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(err)) return double.PositiveInfinity;
            worst = Math.Max(worst, err / Math.Max(magnitude[i], 1e-30));
        }
        return worst;
    }

    public static TheoryData<int, int, int, int, int> Shapes => new()
    {
        { 17, 5, 9, 7, 6 },
        { 32, 16, 8, 8, 24 },
        { 5, 3, 5, 6, 2 },
        { 20, 1, 1, 1, 1 },
        { 33, 7, 16, 16, 9 },
        { 16, 400, 4, 4, 9 },
        { 16, 3, 4, 4, 390 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void All_passes_match_the_reference(int batch, int cin, int h, int w, int cout)
    {
        if (!WinogradConv2d.IsSupported) return; // never chosen without AVX-512 (pinned by the dispatch test)
        var g = new Conv2dGeometry(batch, cin, h, w, cout, 3, 1, 1);
        var input = KernelAssert.Random(g.Batch * g.InputSize, 1);
        var weight = KernelAssert.Random(g.WeightSize, 2);
        var bias = KernelAssert.Random(g.OutChannels, 3);
        var gradOut = KernelAssert.Random(g.Batch * g.OutputSize, 4);
        Assert.Equal(Conv2dAlgorithm.Winograd, With(Conv2dAlgorithm.Winograd, () => Conv2dKernel.AlgorithmFor(g)));

        var (y, ym) = ReferenceConv2d.Forward(g, input, weight, bias);
        var output = With(Conv2dAlgorithm.Winograd, () => { var o = new float[y.Length]; Array.Fill(o, float.NaN); Conv2dKernel.Forward(g, input, weight, bias, o); return o; });
        var (dx, dxm) = ReferenceConv2d.BackwardData(g, gradOut, weight);
        var (dw, dwm, db, dbm) = ReferenceConv2d.BackwardWeight(g, input, gradOut);
        var (gx, gw, gb) = With(Conv2dAlgorithm.Winograd, () =>
        {
            var a = new float[dx.Length]; var b = new float[dw.Length]; var c = new float[db.Length];
            Array.Fill(a, float.NaN); Array.Fill(b, float.NaN); Array.Fill(c, float.NaN);
            Conv2dKernel.Backward(g, input, gradOut, weight, a, b, c);
            return (a, b, c);
        });
        double ef = WorstRelative(y, output, ym), ex = WorstRelative(dx, gx, dxm), ew = WorstRelative(dw, gw, dwm);
        log.WriteLine($"{g}: forward {ef:E2}, data {ex:E2}, weight {ew:E2}");
        Assert.True(ef < 1e-4 && ex < 1e-4 && ew < 1e-4, $"{ef} {ex} {ew}");
    }
}
