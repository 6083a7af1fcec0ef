namespace Thermo.Data;

/// <summary>
/// One split of a labelled image dataset, kept as bytes (CIFAR-10 as float32 would be 600 MB).
/// Layout is NCHW, the layout of Thermo tensors: pixel (n, c, y, x) is
/// <c>Pixels[((n·C + c)·H + y)·W + x]</c>, 0 = black, 255 = full intensity; <c>Labels[n] ∈ [0, ClassCount)</c>.
/// </summary>
public sealed class LabeledImages
{
    /// <summary>Wraps arrays (no copy) after checking that their sizes and labels agree.</summary>
    public LabeledImages(string name, string split, int channels, int height, int width, byte[] pixels, int[] labels,
        IReadOnlyList<string> classNames, IReadOnlyList<SourceFile> sources)
    {
        if (channels < 1 || channels > DataLimits.MaxChannels) throw new ArgumentException($"channels must be in 1..{DataLimits.MaxChannels}, got {channels}", nameof(channels));
        if (height < 1 || height > DataLimits.MaxSide || width < 1 || width > DataLimits.MaxSide)
            throw new ArgumentException($"image size {height}x{width} outside 1..{DataLimits.MaxSide}");
        if (classNames.Count < 1) throw new ArgumentException("at least one class name is needed", nameof(classNames));
        long imageSize = (long)channels * height * width;
        if (pixels.LongLength != labels.LongLength * imageSize)
            throw new ArgumentException($"{labels.Length} labels need {labels.LongLength * imageSize} pixel bytes of {channels}x{height}x{width}, got {pixels.LongLength}", nameof(pixels));
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classNames.Count)
                throw new ArgumentException($"label {labels[i]} of image {i} is outside 0..{classNames.Count - 1}", nameof(labels));
        Name = name;
        Split = split;
        Channels = channels;
        Height = height;
        Width = width;
        Pixels = pixels;
        Labels = labels;
        ClassNames = classNames;
        Sources = sources;
    }

    /// <summary>Dataset name, e.g. "mnist", "cifar10".</summary>
    public string Name { get; }
    /// <summary>Split name, e.g. "train", "test".</summary>
    public string Split { get; }
    /// <summary>Number of images N.</summary>
    public int Count => Labels.Length;
    /// <summary>Channels C (1 grey, 3 RGB).</summary>
    public int Channels { get; }
    /// <summary>Rows H.</summary>
    public int Height { get; }
    /// <summary>Columns W.</summary>
    public int Width { get; }
    /// <summary>Bytes per image, C·H·W.</summary>
    public int ImageSize => Channels * Height * Width;
    /// <summary>Pixels, NCHW bytes.</summary>
    public byte[] Pixels { get; }
    /// <summary>Class index of every image.</summary>
    public int[] Labels { get; }
    /// <summary>Name of every class; <see cref="ClassCount"/> is its length.</summary>
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>Number of classes.</summary>
    public int ClassCount => ClassNames.Count;
    /// <summary>Files the data came from, with sizes and SHA-256.</summary>
    public IReadOnlyList<SourceFile> Sources { get; }

    /// <summary>The C·H·W bytes of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(checked(index * ImageSize), ImageSize);

    /// <summary>Shape as "N x C x H x W".</summary>
    public string ShapeString => $"{Count}x{Channels}x{Height}x{Width}";

    /// <summary>Number of images of each class.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassCount];
        foreach (int label in Labels) counts[label]++;
        return counts;
    }

    /// <summary>Per-channel mean and (population) standard deviation of pixel/255 over all images.</summary>
    public (double[] Mean, double[] Std) ChannelStatistics()
    {
        var mean = new double[Channels];
        var std = new double[Channels];
        int plane = Height * Width;
        // Integer histograms make the sums exact and the loop branch-free.
        Span<long> histogram = stackalloc long[256];
        for (int c = 0; c < Channels; c++)
        {
            histogram.Clear();
            for (int n = 0; n < Count; n++)
                foreach (byte v in Pixels.AsSpan((n * Channels + c) * plane, plane)) histogram[v]++;
            double total = (double)Count * plane, sum = 0, sumSquares = 0;
            for (int v = 0; v < 256; v++) { sum += histogram[v] * (v / 255.0); sumSquares += histogram[v] * (v / 255.0) * (v / 255.0); }
            mean[c] = total == 0 ? 0 : sum / total;
            std[c] = total == 0 ? 0 : Math.Sqrt(Math.Max(0, sumSquares / total - mean[c] * mean[c]));
        }
        return (mean, std);
    }

    /// <summary>Images [start, start + count) as a new dataset (copies).</summary>
    public LabeledImages Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start > Count - count) throw new ArgumentOutOfRangeException(nameof(count), $"slice [{start}, {start + count}) outside 0..{Count}");
        return new LabeledImages(Name, Split, Channels, Height, Width,
            Pixels.AsSpan(start * ImageSize, count * ImageSize).ToArray(), Labels.AsSpan(start, count).ToArray(), ClassNames, Sources);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}/{Split} {ShapeString}, {ClassCount} classes";
}
