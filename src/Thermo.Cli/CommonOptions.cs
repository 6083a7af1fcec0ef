using Thermo.Data;
using System.CommandLine;

namespace Thermo.Cli;

/// <summary>Options shared by many commands.</summary>
public static class CommonOptions
{
    /// <summary>Worker threads for kernels (default: all cores).</summary>
    public static readonly Option<int> Threads = new Option<int>("--threads")
    {
        Description = "worker threads for kernels (default: all cores)",
        DefaultValueFactory = _ => Environment.ProcessorCount,
        Recursive = true,
    }.Within(1, MaxThreads);

    /// <summary>Replace an existing output (see <see cref="CommandOutput"/>).</summary>
    public static Option<bool> Force() => new("--force") { Description = "replace an existing output; the old one stays until the new one is complete" };

    /// <summary>
    /// Most worker threads accepted: more threads than this only add scheduling and per-thread buffers. Oversubscribing
    /// a small machine a few times over is allowed, so a test can run 8 threads on 2 cores.
    /// </summary>
    public static int MaxThreads => Math.Max(64, 4 * Environment.ProcessorCount);

    /// <summary>Where sampling runs: auto | cpu | cuda | ilgpu-cpu (default cpu, the CPU engine).</summary>
    public static Option<string> Device() => new("--device")
    {
        Description = "where sampling runs: cpu (the CPU engine), cuda (NVIDIA GPU through ILGPU), ilgpu-cpu (ILGPU's CPU accelerator, the test device), auto (cuda when present, else cpu)",
        DefaultValueFactory = _ => "cpu",
    };

    /// <summary>
    /// The dataset cache (<c>--data-dir</c>), described the same way everywhere, with the environment variable that
    /// <see cref="DataDirectory.Resolve"/> reads.
    /// </summary>
    public static Option<string?> DataDir() => new("--data-dir")
    {
        Description = $"dataset cache directory (default: ${DataDirectory.EnvironmentVariable}, else $XDG_CACHE_HOME/thermo, else ~/.cache/thermo)",
    };

    /// <summary>Machine-readable output.</summary>
    public static Option<bool> Json() => new("--json") { Description = "print one JSON object instead of text" };
}
