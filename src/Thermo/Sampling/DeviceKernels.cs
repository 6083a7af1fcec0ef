using ILGPU;
using Thermo.Randomness;

namespace Thermo.Sampling;

/// <summary>
/// The device sampler's kernels, one thread per (spin, chain) with the chain index fastest so that a warp reads
/// 32 chains of one spin: neighbour lists and couplings are the same for the whole warp, spins are 32 adjacent bytes.
/// The field is u_i = h_i + Σ_j J_ij s_j over the <see cref="Ising.CouplingGraph"/> row of i in ascending j, each
/// term added as +J_ij or −J_ij (s_j = ±1): the reference sampler's sum, with no multiply for the PTX assembler to
/// contract into an FMA, so the sum is the reference's bit for bit on every device, integer couplings or not.
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
        state[(long)i * a.Items + c] = s;
    }

    /// <summary>Updates every spin of one colour (list entries [ListStart, ListStart + n)) of every batch chain.</summary>
    public static void Sweep(Index1D index, DeviceLaunch a, ArrayView<sbyte> state, ArrayView<int> spins,
        ArrayView<int> rowStart, ArrayView<int> neighbor, ArrayView<float> weight, ArrayView<float> field)
    {
        int k = index / a.Items, c = index - k * a.Items;
        int i = spins[a.ListStart + k];
        long items = a.Items;
        float u = field[i];
        int end = rowStart[i + 1];
        for (int e = rowStart[i]; e < end; e++)
        {
            float w = weight[e];
            u += state[neighbor[e] * items + c] > 0 ? w : -w;
        }
        int item = a.FirstItem + c, slot = item / a.Chains, chain = item - slot * a.Chains;
        uint word = Word(a.Seed, GibbsRule.Stream(a.FirstInput + slot, chain, a.Sweep), (ulong)i);
        state[i * items + c] = DeviceGibbsRule.Update(u, a.Beta, word);
    }

    /// <summary>Sign-average sums: sums[k·Items + c] += s_{observed[k]} of chain c.</summary>
    public static void Accumulate(Index1D index, DeviceLaunch a, ArrayView<sbyte> state, ArrayView<int> observed, ArrayView<int> sums)
    {
        int k = index / a.Items, c = index - k * a.Items;
        sums[index] += state[(long)observed[k] * a.Items + c];
    }

    /// <summary>Word (index mod 4) of Philox block index/4 of (seed, stream): <see cref="PhiloxVector.Word"/>.</summary>
    static uint Word(ulong seed, ulong stream, ulong index)
    {
        var (x0, x1, x2, x3) = Philox.Block(seed, stream, index >> 2);
        uint lane = (uint)(index & 3);
        return lane == 0 ? x0 : lane == 1 ? x1 : lane == 2 ? x2 : x3;
    }
}
