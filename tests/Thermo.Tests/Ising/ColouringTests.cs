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

    /// <summary>
    /// What a colouring is for, checked from the coupling graph itself (not through <see cref="Colouring.IsProper"/>): every
    /// free spin has exactly one colour, pinned and input spins none, no two coupled free spins share one, and the colour
    /// classes list exactly the spins of their colour, so a sweep updates every free spin once.
    /// </summary>
    static void AssertColours(IsingProgram program)
    {
        var colouring = program.Colouring;
        var free = program.FreeMask();
        var graph = program.Graph;
        for (int i = 0; i < program.SpinCount; i++)
        {
            int colour = colouring.ColourOf[i];
            if (!free[i]) { Assert.Equal(-1, colour); continue; }
            Assert.InRange(colour, 0, colouring.Count - 1);
            for (int k = graph.RowStart[i]; k < graph.RowStart[i + 1]; k++)
            {
                int j = graph.Neighbor[k];
                if (free[j]) Assert.True(colouring.ColourOf[j] != colour, $"coupled spins {i} and {j} share colour {colour}");
            }
        }
        Assert.True(graph.Neighbor.Length > 0 || program.Couplings.Count == 0, "the graph has no couplings to separate");
        var listed = Enumerable.Range(0, colouring.Count).SelectMany(c => colouring.Spins(c).ToArray().Select(i => (c, i))).ToList();
        Assert.Equal(listed.Count, listed.Select(x => x.i).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, program.SpinCount).Count(i => free[i]), listed.Count);
        Assert.All(listed, x => Assert.Equal(x.c, colouring.ColourOf[x.i]));
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
        AssertColours(program);
        // Layer parity: h1 and y (odd layers) share colour 0, h2 has colour 1.
        Assert.All(Enumerable.Range(28 * 28, 4 * 14 * 14), i => Assert.Equal(0, colouring.ColourOf[i]));
        Assert.All(Enumerable.Range(28 * 28 + 4 * 14 * 14, 6 * 7 * 7), i => Assert.Equal(1, colouring.ColourOf[i]));
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
        AssertColours(program);
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
        AssertColours(Ring(7));
        AssertColours(Ring(8));
        // An even ring alternates.
        Assert.Equal(Enumerable.Range(0, 8).Select(i => i % 2), Ring(8).Colouring.ColourOf.Select(c => c == Ring(8).Colouring.ColourOf[0] ? 0 : 1));
    }

    [Fact]
    public void Improper_colouring_is_refused()
    {
        var layers = new[] { new SpinLayer("s", [3]) };
        var coupling = SparseCoupling.FromTriples([(0, 1, 1f), (1, 2, 1f)]);
        var bad = Colouring.FromSpinColours([0, 0, 1]);
        var e = Assert.Throws<ArgumentException>(() => new IsingProgram(layers, [coupling], colouring: bad));
        Assert.Contains("not proper", e.Message);
        Assert.False(bad.IsProper(new IsingProgram(layers, [coupling]).Graph, [true, true, true]));
        // A proper colouring given by the caller is kept as given.
        var program = new IsingProgram(layers, [coupling], colouring: Colouring.FromSpinColours([0, 1, 0]));
        Assert.Equal(new[] { 0, 1, 0 }, program.Colouring.ColourOf);
        Assert.Equal(2, program.Colouring.Count);
        AssertColours(program);
    }
}
