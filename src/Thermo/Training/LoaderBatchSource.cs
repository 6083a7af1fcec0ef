using Thermo.Data;

namespace Thermo.Training;

/// <summary>Adapts a <see cref="DataLoader"/> to the trainer; each batch's buffers go back to the loader once the trainer moves on.</summary>
public sealed class LoaderBatchSource(DataLoader loader) : IBatchSource
{
    /// <inheritdoc/>
    public int BatchesPerEpoch => loader.BatchesPerEpoch;
    /// <inheritdoc/>
    public int Count => loader.Data.Count;

    /// <inheritdoc/>
    public IEnumerable<Batch> Batches(int epoch, int startBatch = 0, CancellationToken cancel = default)
    {
        foreach (var b in loader.Epoch(epoch, startBatch, cancel))
        {
            using (b) yield return new Batch(b.Images, b.Labels);
        }
    }
}
