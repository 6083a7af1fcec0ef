namespace Thermo.Data;

/// <summary>
/// Training-time augmentation, as in the standard CIFAR recipe: pad every side by <see cref="Padding"/> zero
/// (black) pixels, crop back to H×W at an offset (oy, ox) uniform on {0..2·Padding}², then mirror left–right with
/// probability ½ when <see cref="HorizontalFlip"/>. Output pixel:
/// <c>out[c, y, x] = in[c, y + oy − p, x' + ox − p]</c> with <c>x' = W−1−x</c> if flipped else <c>x</c>, and 0 outside the
/// image. Then, when <see cref="Cutout"/> = s &gt; 0 (DeVries and Taylor 2017), the s×s square of rows
/// cy − ⌊s/2⌋ … cy − ⌊s/2⌋ + s − 1 and the same columns around cx is set to 0 (black) in every channel, with the centre
/// (cy, cx) uniform on the H×W pixels and the square clipped at the border. The draws for example i in epoch e come
/// from Philox keyed by (seed, stream(e, i)) (the cutout's from the next counter), so they do not depend on batch
/// composition, prefetching or threads.
/// </summary>
public sealed record Augmentation(int Padding = 4, bool HorizontalFlip = true, int Cutout = 0)
{
    /// <summary>No augmentation.</summary>
    public static Augmentation None { get; } = new(0, false);

    /// <summary>True when this changes any image.</summary>
    public bool IsActive => Padding > 0 || HorizontalFlip || Cutout > 0;
}
