namespace Thermo.Data;

/// <summary>How a <see cref="DataLoader"/> turns a <see cref="LabeledImages"/> split into batches.</summary>
public sealed record DataLoaderOptions
{
    /// <summary>Images per batch.</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Visit images in a fresh random order every epoch (training); false = dataset order (evaluation).</summary>
    public bool Shuffle { get; init; } = true;
    /// <summary>Drop the last batch of an epoch when it is smaller than <see cref="BatchSize"/>.</summary>
    public bool DropLast { get; init; }
    /// <summary>Seed of every random choice (order and augmentation).</summary>
    public ulong Seed { get; init; }
    /// <summary>Per-channel normalisation applied after scaling to [0, 1] (and binarisation).</summary>
    public Normalization Normalization { get; init; } = Normalization.UnitRange;
    /// <summary>When set, v/255 becomes 1 if above this threshold else 0, before normalisation (e.g. 0.5 for binary MNIST).</summary>
    public float? BinarizeThreshold { get; init; }
    /// <summary>Random crop and flip; <see cref="Augmentation.None"/> for evaluation.</summary>
    public Augmentation Augmentation { get; init; } = Augmentation.None;
    /// <summary>Batches prepared ahead on a background thread (0 = prepare each batch on the consumer's thread).</summary>
    public int Prefetch { get; init; } = 2;
}
