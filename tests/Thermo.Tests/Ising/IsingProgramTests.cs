using Thermo.Ising;

namespace Thermo.Tests.Ising;

public class IsingProgramTests
{
    [Fact]
    public void Non_symmetric_matrix_is_refused_naming_the_entry()
    {
        var j = new float[] { 0, 1, 0, 2, 0, 0, 0, 0, 0 };
        var e = Assert.Throws<ArgumentException>(() => IsingProgram.FromMatrix(j, new float[3], 1f));
        Assert.Contains("not symmetric", e.Message);
        Assert.Contains("J[0,1]", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => new SparseCoupling([0, 1], [1, 0], [1f, 2f]));
        Assert.Contains("non-symmetric", e2.Message);
    }

    [Fact]
    public void Non_finite_couplings_and_fields_are_refused()
    {
        var layers = new[] { new SpinLayer("a", [2]), new SpinLayer("b", [2]) };
        var e = Assert.Throws<ArgumentException>(() => new IsingProgram(layers, [new DenseCoupling(0, 1, [1, float.NaN, 0, 0])]));
        Assert.Contains("finite", e.Message);
        Assert.Throws<ArgumentException>(() => new IsingProgram(layers, [], [null, new[] { 0f, float.PositiveInfinity }]));
        Assert.Throws<ArgumentException>(() => new IsingProgram([new SpinLayer("s", [2])], [new SparseCoupling([0], [1], [float.NegativeInfinity])]));
    }

    [Fact]
    public void Shape_mismatches_are_refused_with_the_shapes()
    {
        var layers = new[] { new SpinLayer("x", [1, 8, 8], true), new SpinLayer("h", [4, 5, 5]) };
        var e = Assert.Throws<ArgumentException>(() => new IsingProgram(layers, [new ConvCoupling(0, 1, new float[4 * 16], 4, 2, 1)]));
        Assert.Contains("[4, 4, 4]", e.Message); // what the convolution produces
        var e2 = Assert.Throws<ArgumentException>(() => new IsingProgram([new SpinLayer("a", [3]), new SpinLayer("b", [2])], [new DenseCoupling(0, 1, new float[5])]));
        Assert.Contains("need 6", e2.Message);
        Assert.Throws<ArgumentException>(() => new IsingProgram([new SpinLayer("a", [3])], [], [new float[2]]));
        Assert.Throws<ArgumentException>(() => new SpinLayer("bad", [2, 3]));
    }

    [Fact]
    public void Out_of_range_spins_and_bad_parameters_are_refused()
    {
        var layers = new[] { new SpinLayer("s", [4]) };
        var e = Assert.Throws<ArgumentException>(() => new IsingProgram(layers, [new SparseCoupling([0], [4], [1f])]));
        Assert.Contains("out of range", e.Message);
        Assert.Throws<ArgumentException>(() => new SparseCoupling([2], [2], [1f]));
        Assert.Contains("beta", Assert.Throws<ArgumentException>(() => new IsingProgram(layers, [], beta: 0f)).Message);
        Assert.Throws<ArgumentException>(() => new IsingProgram(layers, [], beta: -1f));
        Assert.Throws<ArgumentException>(() => new IsingProgram(layers, [], delta: 0f));
        Assert.Throws<ArgumentException>(() => new IsingProgram(layers, [], pinned: [(7, 1)]));
        Assert.Throws<ArgumentException>(() => new IsingProgram(layers, [], pinned: [(1, 0)]));
        Assert.Throws<ArgumentException>(() => new IsingProgram([new SpinLayer("a", [2]), new SpinLayer("a", [2])], []));
        Assert.Throws<ArgumentException>(() => new IsingProgram([new SpinLayer("a", [2]), new SpinLayer("b", [2])], [new DenseCoupling(1, 0, new float[4])]));
    }

    [Fact]
    public void Temperature_gradient_scales_layer_couplings_and_fields()
    {
        // x → a → b: J(a) = W1, J(b) = δ W2, h(a) = b1, h(b) = δ b2.
        var p = new IsingProgram(
            [new SpinLayer("x", [1], true), new SpinLayer("a", [1]), new SpinLayer("b", [1])],
            [new DenseCoupling(0, 1, [2f]), new DenseCoupling(1, 2, [3f])],
            [null, [5f], [7f]], beta: 1f, delta: 0.5f);
        var g = p.Graph;
        Assert.Equal(new[] { 0f, 5f, 3.5f }, g.Field);
        Assert.Equal(new[] { 1 }, g.Neighbor[g.RowStart[0]..g.RowStart[1]]);
        Assert.Equal(2f, g.Weight[g.RowStart[0]]);
        Assert.Equal(new[] { 0, 2 }, g.Neighbor[g.RowStart[1]..g.RowStart[2]]);
        Assert.Equal(new[] { 2f, 1.5f }, g.Weight[g.RowStart[1]..g.RowStart[2]]);
        // E = −(2·x·a + 1.5·a·b) − (5a + 3.5b) at x = a = b = 1.
        Assert.Equal(-12.0, p.Energy([1, 1, 1]));
    }

    [Fact]
    public void Conv_coupling_graph_matches_the_convolution()
    {
        // Field on the upper layer from a conv coupling equals Kernels.Conv2dKernel.Forward of the lower spins.
        var lower = new SpinLayer("x", [2, 5, 5], true);
        var upper = new SpinLayer("h", [3, 3, 3]);
        var w = new float[3 * 2 * 9];
        Thermo.Randomness.Philox.FillNormal(1, 0, 0, w.AsSpan(0, 52));
        var p = new IsingProgram([lower, upper], [new ConvCoupling(0, 1, w, 3, 2, 1)]);
        var s = new sbyte[p.SpinCount];
        for (int i = 0; i < 50; i++) s[i] = (sbyte)((i * 7 % 3) == 0 ? 1 : -1);
        var xs = s.Take(50).Select(v => (float)v).ToArray();
        var expected = new float[27];
        Thermo.Kernels.Conv2dKernel.Forward(new Thermo.Kernels.Conv2dGeometry(1, 2, 5, 5, 3, 3, 2, 1), xs, w, default, expected);
        for (int o = 0; o < 27; o++) Assert.Equal(expected[o], p.Graph.LocalField(s, 50 + o), 4);
    }
}
