namespace Thermo.Data;

/// <summary>
/// Training-time augmentation, as in the standard CIFAR recipe: pad every side by <see cref="Padding"/> zero
/// (black) pixels, crop back to H×W at an offset (oy, ox) uniform on {0..2·Padding}², then mirror left–right with
/// probability ½ when <see cref="HorizontalFlip"/>. Output pixel:
/// <c>out[c, y, x] = in[c, y + oy − p, x' + ox − p]</c> with <c>x' = W−1−x</c> if flipped else <c>x</c>, and 0 outside the
/// image. The draws for example i in epoch e come from Philox keyed by (seed, stream(e, i)), so they do not
/// depend on batch composition, prefetching or threads.
/// </summary>
public sealed record Augmentation(int Padding = 4, bool HorizontalFlip = true)
{
    /// <summary>No augmentation.</summary>
    public static Augmentation None { get; } = new(0, false);

    /// <summary>True when this changes any image.</summary>
    public bool IsActive => Padding > 0 || HorizontalFlip;
}
