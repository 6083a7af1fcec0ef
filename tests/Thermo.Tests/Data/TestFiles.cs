using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using StbImageWriteSharp;

namespace Thermo.Tests.Data;

/// <summary>Small synthetic dataset files written by the tests themselves (never real data).</summary>
internal static class TestFiles
{
    /// <summary>An IDX file: magic 00 00 type rank, big-endian dims, data.</summary>
    public static byte[] Idx(byte type, int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    public static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return output.ToArray();
    }

    /// <summary>Deterministic pseudo-random bytes.</summary>
    public static byte[] Bytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>CIFAR records: labels (one or two bytes each) then 3072 pixels.</summary>
    public static byte[] CifarRecords(byte[][] labels, byte[][] images)
    {
        var output = new MemoryStream();
        for (int i = 0; i < images.Length; i++)
        {
            output.Write(labels[i]);
            output.Write(images[i]);
        }
        return output.ToArray();
    }

    /// <summary>A tar (optionally gzipped) holding the given entries (directories are implied).</summary>
    public static byte[] Tar(IEnumerable<(string Name, byte[] Data)> entries, bool gzip)
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, data) in entries)
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
        }
        return gzip ? Gzip(tar.ToArray()) : tar.ToArray();
    }

    /// <summary>PNG of interleaved (HWC) pixels with 1 or 3 channels.</summary>
    public static byte[] Png(byte[] hwc, int width, int height, int channels)
    {
        var output = new MemoryStream();
        new ImageWriter().WritePng(hwc, width, height, channels == 1 ? ColorComponents.Grey : ColorComponents.RedGreenBlue, output);
        return output.ToArray();
    }

    /// <summary>JPEG (quality 95) of interleaved pixels.</summary>
    public static byte[] Jpeg(byte[] hwc, int width, int height, int channels)
    {
        var output = new MemoryStream();
        new ImageWriter().WriteJpg(hwc, width, height, channels == 1 ? ColorComponents.Grey : ColorComponents.RedGreenBlue, output, 95);
        return output.ToArray();
    }

    /// <summary>HWC → CHW.</summary>
    public static byte[] ToChw(byte[] hwc, int width, int height, int channels)
    {
        var chw = new byte[hwc.Length];
        for (int p = 0; p < width * height; p++)
            for (int c = 0; c < channels; c++)
                chw[c * width * height + p] = hwc[p * channels + c];
        return chw;
    }

    /// <summary>A smooth image (JPEG-friendly) with a per-image pattern.</summary>
    public static byte[] SmoothImage(int width, int height, int channels, int seed)
    {
        var hwc = new byte[width * height * channels];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < channels; c++)
                    hwc[(y * width + x) * channels + c] = (byte)(128 + 100 * Math.Sin(0.3 * x + 0.2 * y + seed + 2.0 * c));
        return hwc;
    }
}
