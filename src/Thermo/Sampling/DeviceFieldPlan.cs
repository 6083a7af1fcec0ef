using Thermo.Ising;

namespace Thermo.Sampling;

/// <summary>
/// The device sampler's fields as small dense GEMMs over chains. Spins of one colour whose rows of
/// <see cref="IsingProgram.Graph"/> list the same neighbours j₁ &lt; … &lt; j_K (in a conv layer: every channel at one
/// position; in a dense layer: every unit) form a group, and the group's fields for all chains are U = H + A·S with
/// A the group's M × K couplings and S the K × chains neighbour spins: u_mc = h_m + Σ_k A_mk s_{j_k}c, summed in
/// ascending k, which is the reference's ascending j. A group is cut into tiles of at most
/// <see cref="DeviceKernels.TileRows"/> rows; the kernel runs one tile × one chain tile per thread block.
/// </summary>
/// <remarks>
/// Tile record (<see cref="Fields"/> ints each): first row in <see cref="Rows"/>, row count, first neighbour in
/// <see cref="Neighbors"/>, K, first coupling in <see cref="Weights"/>, coupling row stride. Couplings of a group
/// are stored [k][m] with m padded with zeros to a multiple of 8.
/// </remarks>
internal sealed class DeviceFieldPlan
{
    public const int Fields = 6;

    /// <summary>Spin indices, tile by tile.</summary>
    public int[] Rows { get; }
    /// <summary>Neighbour lists, group by group.</summary>
    public int[] Neighbors { get; }
    /// <summary>Couplings, group by group, [k][m].</summary>
    public float[] Weights { get; }
    /// <summary>Tile records.</summary>
    public int[] Tiles { get; }
    /// <summary>Per colour, launches of tiles with the same thread rows (rows/8 rounded up): (colour, thread rows, first tile, tiles).</summary>
    public IReadOnlyList<(int Colour, int ThreadRows, int FirstTile, int Count)> Launches { get; }

    /// <summary>Groups the colours of <paramref name="program"/>; tiles have at most 8·<paramref name="maxThreadRows"/> rows.</summary>
    public DeviceFieldPlan(IsingProgram program, int maxThreadRows)
    {
        var graph = program.Graph;
        var colouring = program.Colouring;
        var rows = new List<int>();
        var neighbors = new List<int>();
        var weights = new List<float>();
        var tiles = new List<int>();
        var launches = new List<(int, int, int, int)>();
        int tileRows = 8 * maxThreadRows;
        for (int c = 0; c < colouring.Count; c++)
        {
            var groups = new Dictionary<int, List<int>>(new RowComparer(graph));
            var order = new List<List<int>>();
            foreach (int i in colouring.Spins(c))
            {
                if (!groups.TryGetValue(i, out var members)) { members = []; groups[i] = members; order.Add(members); }
                members.Add(i);
            }
            var byThreadRows = new SortedDictionary<int, List<int[]>>();
            foreach (var members in order)
            {
                int first = members[0], k = graph.Degree(first), m = members.Count, stride = (m + 7) & ~7;
                int nbrStart = neighbors.Count, wStart = weights.Count;
                for (int e = graph.RowStart[first]; e < graph.RowStart[first + 1]; e++) neighbors.Add(graph.Neighbor[e]);
                var w = new float[k * stride];
                for (int r = 0; r < m; r++)
                {
                    int e0 = graph.RowStart[members[r]];
                    for (int e = 0; e < k; e++) w[e * stride + r] = graph.Weight[e0 + e];
                }
                weights.AddRange(w);
                for (int r0 = 0; r0 < m; r0 += tileRows)
                {
                    int count = Math.Min(tileRows, m - r0), threadRows = (count + 7) / 8;
                    if (!byThreadRows.TryGetValue(threadRows, out var list)) byThreadRows[threadRows] = list = [];
                    var record = new int[Fields + count];
                    record[1] = count; record[2] = nbrStart; record[3] = k; record[4] = wStart + r0; record[5] = stride;
                    for (int r = 0; r < count; r++) record[Fields + r] = members[r0 + r];
                    list.Add(record);
                }
            }
            foreach (var (threadRows, list) in byThreadRows)
            {
                launches.Add((c, threadRows, tiles.Count / Fields, list.Count));
                foreach (var record in list)
                {
                    record[0] = rows.Count;
                    for (int r = 0; r < record[1]; r++) rows.Add(record[Fields + r]);
                    tiles.AddRange(record.AsSpan(0, Fields).ToArray());
                }
            }
        }
        Rows = rows.Count == 0 ? [0] : rows.ToArray();
        Neighbors = neighbors.Count == 0 ? [0] : neighbors.ToArray();
        Weights = weights.Count == 0 ? [0f] : weights.ToArray();
        Tiles = tiles.Count == 0 ? new int[Fields] : tiles.ToArray();
        Launches = launches;
    }

    /// <summary>Spins are equal when their graph rows list the same neighbours in the same order.</summary>
    sealed class RowComparer(CouplingGraph graph) : IEqualityComparer<int>
    {
        public bool Equals(int a, int b) =>
            graph.Neighbor.AsSpan(graph.RowStart[a], graph.Degree(a)).SequenceEqual(graph.Neighbor.AsSpan(graph.RowStart[b], graph.Degree(b)));

        public int GetHashCode(int a)
        {
            var h = new HashCode();
            h.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(graph.Neighbor.AsSpan(graph.RowStart[a], graph.Degree(a))));
            return h.ToHashCode();
        }
    }
}
