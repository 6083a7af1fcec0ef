namespace Thermo.Data;

/// <summary>A file a dataset was read from, with its size and SHA-256 (lower-case hex) for reproducibility reports.</summary>
public sealed record SourceFile(string Path, long Bytes, string Sha256)
{
    /// <summary>Describes <paramref name="path"/> by hashing its contents.</summary>
    public static SourceFile Of(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        return new SourceFile(full, new FileInfo(full).Length, DataFile.Sha256(full));
    }
}
