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

    /// <summary>Where sampling runs: auto | cpu | cuda | ilgpu-cpu (default cpu, the CPU engine).</summary>
    public static Option<string> Device() => new("--device")
    {
        Description = "where sampling runs: cpu (the CPU engine), cuda (NVIDIA GPU through ILGPU), ilgpu-cpu (ILGPU's CPU accelerator, the test device), auto (cuda when present, else cpu)",
        DefaultValueFactory = _ => "cpu",
    };

    /// <summary>Machine-readable output.</summary>
    public static Option<bool> Json() => new("--json") { Description = "print one JSON object instead of text" };
}
