namespace Thermo.Blocks;

/// <summary>
/// Prepares a trained <see cref="IsingBlockNet"/> for hardware with limited coupling precision: folds every
/// batch norm into its couplings, removes the <c>sparsity</c> fraction of smallest-magnitude couplings of each
/// tensor (mask), and holds the rest at <c>bits</c> bits with one symmetric scale per tensor. Fields stay
/// float. The result can be evaluated directly or fine-tuned (quantisation-aware, straight-through).
/// </summary>
public static class BlockQuantizer
{
    /// <summary>Applies the quantisation in place.</summary>
    public static void Prepare(IsingBlockNet net, int bits, float sparsity)
    {
        if (sparsity < 0 || sparsity >= 1) throw new ArgumentException($"sparsity must be in [0, 1), got {sparsity}");
        foreach (var block in net.Blocks)
        {
            block.FoldNorm();
            foreach (var coupling in new[] { block.Hidden, block.Output })
            {
                coupling.EnableQuantization(bits);
                var w = coupling.Weight.Data;
                var mask = coupling.Mask!.Data;
                Array.Fill(mask, 1f);
                int prune = (int)(sparsity * w.Length);
                if (prune == 0) continue;
                // Indices sorted by |w| (ties by index, deterministic); the smallest `prune` are removed.
                var order = new int[w.Length];
                for (int i = 0; i < order.Length; i++) order[i] = i;
                Array.Sort(order, (a, b) => { int c = MathF.Abs(w[a]).CompareTo(MathF.Abs(w[b])); return c != 0 ? c : a.CompareTo(b); });
                for (int k = 0; k < prune; k++) { mask[order[k]] = 0f; w[order[k]] = 0f; }
            }
        }
        net.Quantization = (bits, sparsity);
    }
}
