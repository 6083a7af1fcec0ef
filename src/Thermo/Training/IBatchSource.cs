using Thermo.Tensors;

namespace Thermo.Training;

/// <summary>One mini-batch: images [N, C, H, W] (or [N, F]) and their labels.</summary>
public readonly record struct Batch(Tensor Images, int[] Labels);

/// <summary>
/// Deterministic batches: epoch e, batch b is the same data whatever happened before, so training can resume
/// mid-epoch exactly.
/// </summary>
public interface IBatchSource
{
    /// <summary>Batches in one epoch.</summary>
    int BatchesPerEpoch { get; }
    /// <summary>Examples in one epoch.</summary>
    int Count { get; }
    /// <summary>The batches of <paramref name="epoch"/> starting at <paramref name="startBatch"/>.</summary>
    IEnumerable<Batch> Batches(int epoch, int startBatch = 0, CancellationToken cancel = default);
}
