namespace Thermo.Tests.IO;

/// <summary>A fresh directory under the system temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("thermo-io-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Names of every entry in the directory (to spot left-over temp files).</summary>
    public string[] Listing() => Directory.GetFileSystemEntries(Path).Select(System.IO.Path.GetFileName).Order().ToArray()!;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
