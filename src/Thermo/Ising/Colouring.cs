namespace Thermo.Ising;

/// <summary>
/// A proper colouring of the free spins: no two coupled free spins share a colour, so all spins of one
/// colour are conditionally independent given the others and can be updated at once (block Gibbs). One
/// sweep updates colour 0, then 1, …. Clamped spins (input layers and pinned spins) have colour −1.
/// </summary>
public sealed class Colouring
{
    readonly int[][] spins;

    /// <summary>How the colouring was made.</summary>
    public ColouringKind Kind { get; }
    /// <summary>Colour of each spin, −1 for clamped spins.</summary>
    public int[] ColourOf { get; }
    /// <summary>Number of colours.</summary>
    public int Count => spins.Length;
    /// <summary>For <see cref="ColouringKind.LayerParity"/>: the free layers of each colour, ascending; otherwise empty.</summary>
    public IReadOnlyList<int[]> LayerClasses { get; }

    Colouring(ColouringKind kind, int[] colourOf, int colours, int[][] layerClasses)
    {
        Kind = kind; ColourOf = colourOf; LayerClasses = layerClasses;
        var counts = new int[colours];
        foreach (int c in colourOf) if (c >= 0) counts[c]++;
        spins = new int[colours][];
        for (int c = 0; c < colours; c++) spins[c] = new int[counts[c]];
        Array.Clear(counts);
        for (int i = 0; i < colourOf.Length; i++) if (colourOf[i] >= 0) spins[colourOf[i]][counts[colourOf[i]]++] = i;
    }

    /// <summary>The spins of colour <paramref name="colour"/>, ascending.</summary>
    public ReadOnlySpan<int> Spins(int colour) => spins[colour];

    /// <summary>
    /// The automatic colouring: whole layers by parity when every coupling between free spins joins two
    /// different layers and the layer graph is bipartite; otherwise DSATUR on the spin graph.
    /// </summary>
    public static Colouring For(IsingProgram program)
    {
        var layerColour = TryLayerColours(program);
        if (layerColour is not null) return FromLayerColours(program, layerColour);
        return Greedy(program.Graph, program.FreeMask());
    }

    /// <summary>Colours whole layers from a per-layer colour (−1 for input layers).</summary>
    public static Colouring FromLayerColours(IsingProgram program, int[] layerColour)
    {
        if (layerColour.Length != program.Layers.Count)
            throw new ArgumentException($"layer colouring has {layerColour.Length} entries, program has {program.Layers.Count} layers");
        var free = program.FreeMask();
        var colourOf = new int[program.SpinCount];
        int colours = 0;
        for (int l = 0; l < program.Layers.Count; l++)
        {
            int c = program.Layers[l].IsInput ? -1 : layerColour[l];
            if (!program.Layers[l].IsInput && c < 0) throw new ArgumentException($"layer colouring: free layer {l} has no colour");
            colours = Math.Max(colours, c + 1);
            int off = program.LayerOffsets[l];
            for (int i = 0; i < program.Layers[l].Size; i++) colourOf[off + i] = free[off + i] ? c : -1;
        }
        var classes = new int[colours][];
        for (int c = 0; c < colours; c++)
            classes[c] = Enumerable.Range(0, program.Layers.Count).Where(l => !program.Layers[l].IsInput && layerColour[l] == c).ToArray();
        return new Colouring(ColouringKind.LayerParity, colourOf, colours, classes);
    }

    /// <summary>Wraps a per-spin colour assignment (e.g. read from a file); check it with <see cref="IsProper"/>.</summary>
    public static Colouring FromSpinColours(int[] colourOf)
    {
        int colours = 0;
        foreach (int c in colourOf) colours = Math.Max(colours, c + 1);
        return new Colouring(ColouringKind.Greedy, (int[])colourOf.Clone(), colours, Array.Empty<int[]>());
    }

    static int[]? TryLayerColours(IsingProgram program)
    {
        int layers = program.Layers.Count;
        var adjacent = new List<int>[layers];
        for (int l = 0; l < layers; l++) adjacent[l] = new List<int>();
        var free = program.FreeMask();
        var layerOf = program.LayerOfSpin();
        foreach (var c in program.Couplings)
        {
            switch (c)
            {
                case DenseCoupling d: Link(d.Lower, d.Upper); break;
                case ConvCoupling v: Link(v.Lower, v.Upper); break;
                case SparseCoupling s:
                    for (int k = 0; k < s.I.Length; k++)
                    {
                        if (!free[s.I[k]] || !free[s.J[k]]) continue;
                        int a = layerOf[s.I[k]], b = layerOf[s.J[k]];
                        if (a == b) return null; // coupled spins inside one layer
                        Link(a, b);
                    }
                    break;
            }
        }
        var colour = new int[layers];
        Array.Fill(colour, -1);
        var queue = new Queue<int>();
        for (int start = 0; start < layers; start++)
        {
            if (program.Layers[start].IsInput || colour[start] >= 0) continue;
            colour[start] = 0;
            queue.Enqueue(start);
            while (queue.Count > 0)
            {
                int l = queue.Dequeue();
                foreach (int m in adjacent[l])
                {
                    if (colour[m] < 0) { colour[m] = 1 - colour[l]; queue.Enqueue(m); }
                    else if (colour[m] == colour[l]) return null;
                }
            }
        }
        return colour;

        void Link(int a, int b)
        {
            if (program.Layers[a].IsInput || program.Layers[b].IsInput) return;
            adjacent[a].Add(b); adjacent[b].Add(a);
        }
    }

    /// <summary>
    /// DSATUR (Brélaz 1979): repeatedly colour the uncoloured free spin with the most distinct neighbour
    /// colours (ties: more free neighbours, then lower index) with the smallest colour its neighbours lack.
    /// </summary>
    public static Colouring Greedy(CouplingGraph graph, bool[] free)
    {
        int n = graph.SpinCount;
        var colourOf = new int[n];
        Array.Fill(colourOf, -1);
        var degree = new int[n];
        var saturation = new int[n];
        var neighbourColours = new HashSet<int>[n];
        var queue = new SortedSet<(int NegSat, int NegDeg, int Index)>();
        for (int i = 0; i < n; i++)
        {
            if (!free[i]) continue;
            for (int k = graph.RowStart[i]; k < graph.RowStart[i + 1]; k++) if (free[graph.Neighbor[k]]) degree[i]++;
            neighbourColours[i] = new HashSet<int>();
            queue.Add((0, -degree[i], i));
        }
        int colours = 0;
        while (queue.Count > 0)
        {
            var top = queue.Min;
            queue.Remove(top);
            int v = top.Index;
            int c = 0;
            while (neighbourColours[v].Contains(c)) c++;
            colourOf[v] = c;
            colours = Math.Max(colours, c + 1);
            for (int k = graph.RowStart[v]; k < graph.RowStart[v + 1]; k++)
            {
                int u = graph.Neighbor[k];
                if (!free[u] || colourOf[u] >= 0) continue;
                if (neighbourColours[u].Add(c))
                {
                    queue.Remove((-saturation[u], -degree[u], u));
                    saturation[u]++;
                    queue.Add((-saturation[u], -degree[u], u));
                }
            }
        }
        return new Colouring(ColouringKind.Greedy, colourOf, colours, Array.Empty<int[]>());
    }

    /// <summary>Whether no coupled pair of coloured spins shares a colour and every free spin is coloured.</summary>
    public bool IsProper(CouplingGraph graph, bool[] free)
    {
        if (ColourOf.Length != graph.SpinCount) return false;
        for (int i = 0; i < graph.SpinCount; i++)
        {
            if (free[i] != (ColourOf[i] >= 0)) return false;
            if (ColourOf[i] < 0) continue;
            for (int k = graph.RowStart[i]; k < graph.RowStart[i + 1]; k++)
                if (graph.Weight[k] != 0 && ColourOf[graph.Neighbor[k]] == ColourOf[i]) return false;
        }
        return true;
    }
}
