using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Thermo.IO;

/// <summary>Where an artefact came from: which Thermo, which command, which machine, which data, when.</summary>
public sealed record Provenance
{
    /// <summary>Informational version of the Thermo assembly.</summary>
    public string ThermoVersion { get; init; } = "";
    /// <summary>The command line that produced the artefact.</summary>
    public string CommandLine { get; init; } = "";
    /// <summary>Host, OS, architecture, core count and runtime.</summary>
    public string Machine { get; init; } = "";
    /// <summary>When the artefact was written (UTC).</summary>
    public DateTimeOffset Created { get; init; }
    /// <summary>Checksums of the input data by dataset/file name, e.g. "mnist/train-images-idx3-ubyte" → "sha256:…".</summary>
    public Dictionary<string, string> DatasetChecksums { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Describes the current process, with the given dataset checksums.</summary>
    public static Provenance Capture(IReadOnlyDictionary<string, string>? datasetChecksums = null) => new()
    {
        ThermoVersion = CurrentThermoVersion,
        CommandLine = string.Join(' ', Environment.GetCommandLineArgs()),
        Machine = $"{Environment.MachineName}; {RuntimeInformation.OSDescription}; {RuntimeInformation.OSArchitecture}; {Environment.ProcessorCount} cores; {RuntimeInformation.FrameworkDescription}",
        Created = DateTimeOffset.UtcNow,
        DatasetChecksums = datasetChecksums is null ? new(StringComparer.Ordinal) : new(datasetChecksums, StringComparer.Ordinal),
    };

    /// <summary>The running Thermo's version string.</summary>
    public static string CurrentThermoVersion =>
        typeof(Provenance).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(Provenance).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>"sha256:&lt;hex&gt;" of a file's contents, the form <see cref="DatasetChecksums"/> uses.</summary>
    public static string FileSha256(string path)
    {
        using var stream = File.OpenRead(path);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
