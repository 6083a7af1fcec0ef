using System.CommandLine;

namespace Thermo.Cli;

/// <summary>Options shared by many commands.</summary>
public static class CommonOptions
{
    /// <summary>Worker threads for kernels (default: all cores).</summary>
    public static readonly Option<int> Threads = new("--threads")
    {
        Description = "worker threads for kernels (default: all cores)",
        DefaultValueFactory = _ => Environment.ProcessorCount,
        Recursive = true,
    };

    /// <summary>Machine-readable output.</summary>
    public static Option<bool> Json() => new("--json") { Description = "print one JSON object instead of text" };
}
