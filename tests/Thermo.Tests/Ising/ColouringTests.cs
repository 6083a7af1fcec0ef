using Thermo.Ising;
using Thermo.Tests.Sampling;

namespace Thermo.Tests.Ising;

public class ColouringTests
{
    internal static IsingProgram BenchmarkShaped(int c1 = 4, int c2 = 6)
    {
        var w1 = new float[c1 * 1 * 16]; var w2 = new float[c2 * c1 * 16]; var w3 = new float[10 * c2 * 7 * 7];
        return new IsingProgram(
            [new SpinLayer("x", [1, 28, 28], true), new SpinLayer("h1", [c1, 14, 14]), new SpinLayer("h2", [c2, 7, 7]), new SpinLayer("y", [10])],
            [new ConvCoupling(0, 1, w1, 4, 2, 1), new ConvCoupling(1, 2, w2, 4, 2, 1), new DenseCoupling(2, 3, w3)],
            delta: 0.5f);
    }

    [Fact]
    public void Layered_programs_get_the_red_black_layer_schedule()
    {
        var program = BenchmarkShaped();
        var colouring = program.Colouring;
        Assert.Equal(ColouringKind.LayerParity, colouring.Kind);
        Assert.Equal(2, colouring.Count);
        Assert.Equal(new[] { 1, 3 }, colouring.LayerClasses[0]);
        Assert.Equal(new[] { 2 }, colouring.LayerClasses[1]);
        Assert.True(colouring.IsProper(program.Graph, program.FreeMask()));
        Assert.All(Enumerable.Range(0, 28 * 28), i => Assert.Equal(-1, colouring.ColourOf[i]));
    }

    [Theory]
    [InlineData(30, 0.1f, 1UL)]
    [InlineData(40, 0.5f, 2UL)]
    [InlineData(16, 1.0f, 3UL)]
    public void Sparse_programs_get_a_proper_greedy_colouring(int n, float p, ulong seed)
    {
        var program = RandomPrograms.Sparse(n, p, 1f, seed, pinned: [(1, 1)]);
        var colouring = program.Colouring;
        Assert.Equal(ColouringKind.Greedy, colouring.Kind);
        Assert.True(colouring.IsProper(program.Graph, program.FreeMask()));
        Assert.Equal(-1, colouring.ColourOf[1]);
        int maxDegree = Enumerable.Range(0, n).Max(program.Graph.Degree);
        Assert.True(colouring.Count <= maxDegree + 1);
        if (p == 1.0f) Assert.Equal(n - 1, colouring.Count); // complete graph on the n − 1 free spins
    }

    [Fact]
    public void Odd_cycle_needs_three_colours_and_even_cycle_two()
    {
        static IsingProgram Ring(int n) => new([new SpinLayer("s", [n])],
            [SparseCoupling.FromTriples(Enumerable.Range(0, n).Select(i => (i, (i + 1) % n, 1f)))]);
        Assert.Equal(3, Ring(7).Colouring.Count);
        Assert.Equal(2, Ring(8).Colouring.Count);
    }

    [Fact]
    public void Improper_colouring_is_refused()
    {
        var layers = new[] { new SpinLayer("s", [3]) };
        var coupling = SparseCoupling.FromTriples([(0, 1, 1f), (1, 2, 1f)]);
        var bad = Colouring.FromSpinColours([0, 0, 1]);
        var e = Assert.Throws<ArgumentException>(() => new IsingProgram(layers, [coupling], colouring: bad));
        Assert.Contains("not proper", e.Message);
        Assert.NotNull(new IsingProgram(layers, [coupling], colouring: Colouring.FromSpinColours([0, 1, 0])));
    }
}
