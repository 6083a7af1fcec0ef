using Thermo.Data;

namespace Thermo.Training;

/// <summary>
/// A <see cref="DataLoader"/> as the trainer's <see cref="IBatchSource"/>. Each batch's storage is handed back to
/// the loader when the trainer asks for the next one (the trainer finishes a step before moving on), so a
/// steady-state epoch allocates no new batch buffers. A consumer that keeps a batch's tensor beyond its step
/// must copy it.
/// </summary>
public sealed class LoaderBatchSource(DataLoader loader) : IBatchSource
{
    /// <summary>The wrapped loader.</summary>
    public DataLoader Loader { get; } = loader;

    /// <inheritdoc/>
    public int BatchesPerEpoch => Loader.BatchesPerEpoch;

    /// <inheritdoc/>
    public int Count => Loader.Options.DropLast ? Loader.BatchesPerEpoch * Loader.Options.BatchSize : Loader.Data.Count;

    /// <inheritdoc/>
    public IEnumerable<Batch> Batches(int epoch, int startBatch = 0, CancellationToken cancel = default)
    {
        foreach (var batch in Loader.Epoch(epoch, startBatch, cancel))
        {
            try
            {
                yield return new Batch(batch.Images, batch.Labels);
            }
            finally
            {
                batch.Dispose();
            }
        }
    }
}
