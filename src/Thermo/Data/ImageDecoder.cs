using System.Buffers.Binary;
using System.IO.Compression;
using StbImageSharp;

namespace Thermo.Data;

/// <summary>
/// Decodes PNG and JPEG files with StbImageSharp behind a structural check of our own: PNG chunk and JPEG
/// segment lengths must fit the file, the declared size must be within <see cref="DataLimits.MaxSide"/>, and a
/// PNG's compressed data may not inflate beyond what its header declares. Only then is the decoder run, so a
/// hostile file fails fast with an <see cref="InvalidDataException"/> instead of hanging or allocating gigabytes.
/// </summary>
internal static class ImageDecoder
{
    /// <summary>Header facts of an encoded image.</summary>
    public readonly record struct Info(int Width, int Height, bool Colour);

    /// <summary>True for the extensions the image-folder reader picks up (.png, .jpg, .jpeg).</summary>
    public static bool IsImageName(string name) =>
        name.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) ||
        name.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase);

    /// <summary>Validates the structure and reads the size and colour type of an encoded image (without decoding it).</summary>
    public static Info Probe(byte[] data, string name)
    {
        if (IsPng(data)) return CheckPng(data, name);
        if (IsJpeg(data)) return CheckJpeg(data, name);
        throw new InvalidDataException($"{name}: unreadable image: neither PNG nor JPEG ({DataFile.Looks(data.AsSpan(0, Math.Min(64, data.Length)))})");
    }

    /// <summary>
    /// Decodes to <paramref name="channels"/> (1 grey or 3 RGB) and writes the pixels as CHW into
    /// <paramref name="destination"/>; the image must be <paramref name="width"/>x<paramref name="height"/>.
    /// </summary>
    public static void DecodeChw(byte[] data, string name, int channels, int width, int height, Span<byte> destination)
    {
        ImageResult result;
        try
        {
            result = ImageResult.FromStream(new StbInputStream(data), channels == 1 ? ColorComponents.Grey : ColorComponents.RedGreenBlue);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{name}: unreadable image ({e.Message})", e);
        }
        if (result.Width != width || result.Height != height)
            throw new InvalidDataException($"{name}: image is {result.Width}x{result.Height}, expected {width}x{height}");
        var hwc = result.Data;
        int plane = width * height;
        if (hwc.Length < plane * channels) throw new InvalidDataException($"{name}: decoder returned {hwc.Length} bytes, expected {plane * channels}");
        if (channels == 1) { hwc.AsSpan(0, plane).CopyTo(destination); return; }
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < channels; c++)
                destination[c * plane + p] = hwc[p * channels + c];
    }

    static bool IsPng(ReadOnlySpan<byte> d) => d.Length >= 8 && d[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
    static bool IsJpeg(ReadOnlySpan<byte> d) => d.Length >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF;

    static Info CheckPng(byte[] d, string name)
    {
        int pos = 8;
        bool first = true, sawData = false;
        int width = 0, height = 0, bitDepth = 8, colourType = 0, interlace = 0;
        long compressed = 0;
        while (true)
        {
            if (d.Length - pos < 12) throw new InvalidDataException($"{name}: truncated PNG: chunk header at byte {pos} runs past the end ({d.Length} bytes) before IEND");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan(pos));
            uint type = BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan(pos + 4));
            if (length > (uint)(d.Length - pos - 12))
                throw new InvalidDataException($"{name}: corrupt PNG: chunk at byte {pos} declares {length} bytes, only {d.Length - pos - 12} remain");
            var body = d.AsSpan(pos + 8, (int)length);
            if (first)
            {
                if (type != 0x49484452 /* IHDR */ || length != 13) throw new InvalidDataException($"{name}: corrupt PNG: first chunk is not a 13-byte IHDR");
                width = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32BigEndian(body));
                height = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32BigEndian(body[4..]));
                bitDepth = body[8]; colourType = body[9]; interlace = body[12];
                if (width < 1 || height < 1 || width > DataLimits.MaxSide || height > DataLimits.MaxSide)
                    throw new InvalidDataException($"{name}: PNG claims {width}x{height} pixels, expected 1..{DataLimits.MaxSide} per side (DataLimits.MaxSide)");
                first = false;
            }
            else if (type == 0x49444154 /* IDAT */) { sawData = true; compressed += length; }
            else if (type == 0x49454E44 /* IEND */) break;
            pos += 12 + (int)length;
        }
        if (!sawData) throw new InvalidDataException($"{name}: corrupt PNG: no image data (IDAT)");
        // Inflate the image data ourselves, with a hard cap at the exact size the header implies (filter byte plus
        // packed samples per row; per Adam7 pass when interlaced): stb_image requires the same.
        int samples = colourType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
        if (samples == 0 || bitDepth is not (1 or 2 or 4 or 8 or 16)) throw new InvalidDataException($"{name}: corrupt PNG: colour type {colourType} with bit depth {bitDepth}");
        long expected = 0;
        ReadOnlySpan<int> adam7 = interlace == 0 ? [0, 0, 1, 1] : [0, 0, 8, 8, 4, 0, 8, 8, 0, 4, 4, 8, 2, 0, 4, 4, 0, 2, 2, 4, 1, 0, 2, 2, 0, 1, 1, 2];
        for (int pass = 0; pass < adam7.Length; pass += 4)
        {
            long passWidth = (width - adam7[pass] + adam7[pass + 2] - 1) / adam7[pass + 2];
            long passHeight = (height - adam7[pass + 1] + adam7[pass + 3] - 1) / adam7[pass + 3];
            if (passWidth > 0 && passHeight > 0) expected += passHeight * (1 + (passWidth * samples * bitDepth + 7) / 8);
        }
        var idat = new byte[compressed];
        int at = 0;
        pos = 8;
        while (true)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan(pos));
            uint type = BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan(pos + 4));
            if (type == 0x49444154) { d.AsSpan(pos + 8, length).CopyTo(idat.AsSpan(at)); at += length; }
            if (type == 0x49454E44) break;
            pos += 12 + length;
        }
        long inflated = 0;
        try
        {
            using var z = new ZLibStream(new MemoryStream(idat), CompressionMode.Decompress);
            var scratch = new byte[16384];
            int n;
            while ((n = z.Read(scratch)) > 0)
            {
                inflated += n;
                if (inflated > expected) throw new InvalidDataException($"{name}: corrupt PNG: image data inflates beyond the {expected} bytes its {width}x{height} header implies");
            }
        }
        catch (Exception e) when (DataFile.IsCodecError(e) && !e.Message.StartsWith(name, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{name}: corrupt PNG image data ({e.Message})", e);
        }
        if (inflated != expected) throw new InvalidDataException($"{name}: corrupt PNG: image data inflates to {inflated} bytes, its {width}x{height} header implies {expected}");
        return new Info(width, height, colourType is 2 or 3 or 6);
    }

    static Info CheckJpeg(byte[] d, string name)
    {
        int pos = 2;
        Info? frame = null;
        while (true)
        {
            if (pos >= d.Length) throw new InvalidDataException($"{name}: truncated JPEG: ends at byte {pos} before the image data (SOS)");
            if (d[pos] != 0xFF) throw new InvalidDataException($"{name}: corrupt JPEG: expected a marker (ff) at byte {pos}");
            while (pos < d.Length && d[pos] == 0xFF) pos++;
            if (pos >= d.Length) throw new InvalidDataException($"{name}: truncated JPEG after fill bytes");
            byte marker = d[pos++];
            if (marker is 0x01 or (>= 0xD0 and <= 0xD8)) continue;
            if (marker == 0xD9) throw new InvalidDataException($"{name}: corrupt JPEG: end of image before any image data");
            if (d.Length - pos < 2) throw new InvalidDataException($"{name}: truncated JPEG: segment {marker:x2} at byte {pos - 2} has no length");
            int length = BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(pos));
            if (length < 2 || length > d.Length - pos)
                throw new InvalidDataException($"{name}: corrupt JPEG: segment {marker:x2} at byte {pos - 2} declares {length} bytes, {d.Length - pos} remain");
            if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
            {
                if (length < 8 || d[pos + 7] is 0 or > 4) throw new InvalidDataException($"{name}: corrupt JPEG: frame header too short or with {d[pos + 7]} components");
                int height = BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(pos + 3)), width = BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(pos + 5));
                if (width < 1 || height < 1 || width > DataLimits.MaxSide || height > DataLimits.MaxSide)
                    throw new InvalidDataException($"{name}: JPEG claims {width}x{height} pixels, expected 1..{DataLimits.MaxSide} per side (DataLimits.MaxSide)");
                frame = new Info(width, height, d[pos + 7] != 1);
            }
            if (marker == 0xDA) return frame ?? throw new InvalidDataException($"{name}: corrupt JPEG: scan before frame header");
            pos += length;
        }
    }
}
