using ILGPU;
using Thermo.Randomness;

namespace Thermo.Sampling;

/// <summary>
/// The device sampler's kernels. States are one byte per (spin, chain), chain index fastest (state[i·Stride + c]).
/// The field is u_i = h_i + Σ_j J_ij s_j over the <see cref="Ising.CouplingGraph"/> row of i in ascending j; each
/// term is J_ij·s_j with s_j = ±1.0, a product that is exact, so whether the PTX assembler fuses it into an FMA or
/// not, every partial sum is the reference sampler's u ± J_ij, bit for bit on every device, integer couplings or not.
/// </summary>
internal static class DeviceKernels
{
    /// <summary>Initial state: input spins from the batch's input rows, pinned spins from the program, free spins from sweep −1's words.</summary>
    /// <remarks>role[i] ≥ 0: input column; −1: free; −2: pinned +1; −3: pinned −1.</remarks>
    public static void Initialize(Index1D index, DeviceLaunch a, ArrayView<sbyte> state, ArrayView<int> role, ArrayView<sbyte> inputs)
    {
        int i = index / a.Items, c = index - i * a.Items;
        int item = a.FirstItem + c, slot = item / a.Chains, chain = item - slot * a.Chains;
        int r = role[i];
        sbyte s;
        if (r >= 0) s = inputs[(long)(slot - a.FirstSlot) * a.InputWidth + r];
        else if (r == -1) s = GibbsRule.Initial(Word(a.Seed, GibbsRule.Stream(a.FirstInput + slot, chain, -1), (ulong)i));
        else s = r == -2 ? (sbyte)1 : (sbyte)-1;
        state[(long)i * a.Stride + c] = s;
    }

    /// <summary>Most neighbours k per shared-memory tile (the launch's TileK), rows per thread block at most, chains per thread.</summary>
    public const int MaxTileK = 32, TileRows = 64, ThreadChains = 8, MaxLanes = 32;

    /// <summary>
    /// Fields and updates of one launch of <see cref="DeviceFieldPlan"/> tiles: block (tile FirstTile + x, chain tile y),
    /// threads (lane, thread row); thread (l, t) owns rows 8t … 8t+7 of the tile and chains c₀ + 8l + q, q &lt; 8,
    /// and accumulates their 64 fields in registers, u ← u + A_mk·s_k with s = ±1 (exact, so fused or not it is the
    /// reference's u ± J). Couplings (k × rows) and spins (k × chains, converted from one byte per chain to ±1.0)
    /// pass through shared memory TileK neighbours at a time, read as 128-bit vectors (four
    /// loads per 64 multiply-adds); the next tile's neighbour indices are read during
    /// this tile's staging, so a spin load never waits on an index load. Then each field gets its Philox word and
    /// heat-bath update, and the new spin is stored.
    /// </summary>
    public static void SweepTiled(DeviceLaunch a, ArrayView<int> words, ArrayView<sbyte> state, ArrayView<int> tiles,
        ArrayView<int> rows, ArrayView<int> neighbor, ArrayView<float> weight, ArrayView<float> field)
    {
        var sa = SharedMemory.Allocate<Float4>(MaxTileK * TileRows / 4);
        var sb = SharedMemory.Allocate<Float4>(MaxTileK * ThreadChains * MaxLanes / 4);
        var sn = SharedMemory.Allocate<int>(2 * MaxTileK);
        var fields = LocalMemory.Allocate<float>(64);
        int lanes = a.Lanes, threads = lanes * a.ThreadRows;
        int tx = Group.IdxX, ty = Group.IdxY, tid = ty * lanes + tx;
        int t = (a.FirstTile + Grid.IdxX) * DeviceFieldPlan.Fields;
        int rowFirst = tiles[t], rowCount = tiles[t + 1], nbrStart = tiles[t + 2], k = tiles[t + 3], wStart = tiles[t + 4], wStride = tiles[t + 5];
        int tileRows = 8 * a.ThreadRows, tileChains = ThreadChains * lanes, tileWords = tileChains / 4;
        int c0 = Grid.IdxY * tileChains;
        int r0 = ty * 8;
        var u0 = Float8.Of(r0 + 0 < rowCount ? field[rows[rowFirst + r0 + 0]] : 0f);
        var u1 = Float8.Of(r0 + 1 < rowCount ? field[rows[rowFirst + r0 + 1]] : 0f);
        var u2 = Float8.Of(r0 + 2 < rowCount ? field[rows[rowFirst + r0 + 2]] : 0f);
        var u3 = Float8.Of(r0 + 3 < rowCount ? field[rows[rowFirst + r0 + 3]] : 0f);
        var u4 = Float8.Of(r0 + 4 < rowCount ? field[rows[rowFirst + r0 + 4]] : 0f);
        var u5 = Float8.Of(r0 + 5 < rowCount ? field[rows[rowFirst + r0 + 5]] : 0f);
        var u6 = Float8.Of(r0 + 6 < rowCount ? field[rows[rowFirst + r0 + 6]] : 0f);
        var u7 = Float8.Of(r0 + 7 < rowCount ? field[rows[rowFirst + r0 + 7]] : 0f);
        long stride = a.Stride;
        int depth = a.TileK;
        for (int w = tid; w < depth; w += threads) sn[w] = w < k ? neighbor[nbrStart + w] : 0;
        Group.Barrier();
        for (int k0 = 0, cur = 0; k0 < k; k0 += depth, cur ^= MaxTileK)
        {
            for (int w = tid; w < depth; w += threads)
                sn[(cur ^ MaxTileK) + w] = k0 + depth + w < k ? neighbor[nbrStart + k0 + depth + w] : 0;
            // Past K the couplings are 0 and the spins +1: u + 0 = u (only the sign of a zero field can change, and
            // e^(±0) is the same 1).
            for (int w = tid; w < depth * tileRows / 4; w += threads)
            {
                int kk = w / (tileRows / 4), r = 4 * (w - kk * (tileRows / 4));
                var v = new Float4(0f, 0f, 0f, 0f);
                if (k0 + kk < k)
                {
                    int at = wStart + (k0 + kk) * wStride + r;
                    v = new Float4(weight[at], weight[at + 1], weight[at + 2], weight[at + 3]);
                }
                sa[kk * (TileRows / 4) + r / 4] = v;
            }
            for (int w = tid; w < depth * tileWords; w += threads)
            {
                int kk = w / tileWords, wc = w - kk * tileWords, c = c0 + 4 * wc;
                int bits = 0x01010101;
                if (k0 + kk < k && c < stride) bits = words[(int)((sn[cur + kk] * stride + c) >> 2)];
                sb[kk * (ThreadChains * MaxLanes / 4) + wc] = new Float4(Spin(bits << 24), Spin(bits << 16), Spin(bits << 8), Spin(bits));
            }
            Group.Barrier();
            for (int kk = 0; kk < depth; kk++)
            {
                int ab = kk * (TileRows / 4) + r0 / 4, bb = kk * (ThreadChains * MaxLanes / 4) + 2 * tx;
                Float4 a03 = sa[ab], a47 = sa[ab + 1], b03 = sb[bb], b47 = sb[bb + 1];
                var s = new Float8(b03.X, b03.Y, b03.Z, b03.W, b47.X, b47.Y, b47.Z, b47.W);
                u0 = u0.Add(a03.X, s);
                u1 = u1.Add(a03.Y, s);
                u2 = u2.Add(a03.Z, s);
                u3 = u3.Add(a03.W, s);
                u4 = u4.Add(a47.X, s);
                u5 = u5.Add(a47.Y, s);
                u6 = u6.Add(a47.Z, s);
                u7 = u7.Add(a47.W, s);
            }
            Group.Barrier();
        }
        u0.Store(fields, 0); u1.Store(fields, 8); u2.Store(fields, 16); u3.Store(fields, 24);
        u4.Store(fields, 32); u5.Store(fields, 40); u6.Store(fields, 48); u7.Store(fields, 56);
        for (int q = 0; q < ThreadChains; q++)
        {
            int c = c0 + ThreadChains * tx + q;
            if (c >= a.Items) break;
            int item = a.FirstItem + c, slot = item / a.Chains, chain = item - slot * a.Chains;
            ulong stream = GibbsRule.Stream(a.FirstInput + slot, chain, a.Sweep);
            for (int r = 0; r < 8 && r0 + r < rowCount; r++)
            {
                int i = rows[rowFirst + r0 + r];
                uint word = Word(a.Seed, stream, (ulong)i);
                state[i * stride + c] = DeviceGibbsRule.Update(fields[r * 8 + q], a.Beta, word);
            }
        }
    }

    /// <summary>±1.0 from the sign bit of <paramref name="bits"/> (bit 31: a spin byte's sign shifted to the top).</summary>
    static float Spin(int bits) => BitConverter.Int32BitsToSingle(0x3F800000 | (bits & int.MinValue));

    /// <summary>Sign-average sums: sums[k·Items + c] += s_{observed[k]} of chain c.</summary>
    public static void Accumulate(Index1D index, DeviceLaunch a, ArrayView<sbyte> state, ArrayView<int> observed, ArrayView<int> sums)
    {
        int k = index / a.Items, c = index - k * a.Items;
        sums[index] += state[(long)observed[k] * a.Stride + c];
    }

    /// <summary>Word (index mod 4) of Philox block index/4 of (seed, stream): <see cref="PhiloxVector.Word"/>.</summary>
    static uint Word(ulong seed, ulong stream, ulong index)
    {
        var (x0, x1, x2, x3) = Philox.Block(seed, stream, index >> 2);
        uint lane = (uint)(index & 3);
        return lane == 0 ? x0 : lane == 1 ? x1 : lane == 2 ? x2 : x3;
    }
}
