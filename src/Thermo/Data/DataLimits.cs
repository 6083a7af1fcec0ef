namespace Thermo.Data;

/// <summary>
/// Bounds every reader checks a file's header against before it allocates anything, so a corrupt or
/// hostile header is refused with an <see cref="InvalidDataException"/> instead of exhausting memory.
/// The bounds are far above the datasets Thermo trains on (CIFAR-10 train is 150 MiB of pixels).
/// </summary>
public static class DataLimits
{
    /// <summary>Largest pixel array of one split: 1 GiB.</summary>
    public const long MaxPixelBytes = 1L << 30;
    /// <summary>Largest number of images (or labels) in one split: 2^26 ≈ 67 million.</summary>
    public const int MaxCount = 1 << 26;
    /// <summary>Largest image side in pixels.</summary>
    public const int MaxSide = 4096;
    /// <summary>Largest number of channels.</summary>
    public const int MaxChannels = 4;
    /// <summary>Largest single encoded image file (PNG/JPEG) or CIFAR batch member of an archive: 256 MiB.</summary>
    public const long MaxEntryBytes = 256L << 20;
    /// <summary>Largest total of bytes read from a decompressed archive stream: 4 GiB (stops gzip bombs).</summary>
    public const long MaxArchiveBytes = 4L << 30;
    /// <summary>Largest number of entries in an archive or files in a folder.</summary>
    public const int MaxEntries = 1 << 22;
}
