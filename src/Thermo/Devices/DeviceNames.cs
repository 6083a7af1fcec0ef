namespace Thermo.Devices;

/// <summary>The command-line spelling of <see cref="DeviceKind"/>: auto, cpu, cuda, ilgpu-cpu.</summary>
public static class DeviceNames
{
    /// <summary>Accepted names, in help order.</summary>
    public static IReadOnlyList<string> All { get; } = ["auto", "cpu", "cuda", "ilgpu-cpu"];

    /// <summary>Parses a device name; throws <see cref="ArgumentException"/> naming the accepted ones.</summary>
    public static DeviceKind Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "auto" => DeviceKind.Auto,
        "cpu" => DeviceKind.Cpu,
        "cuda" => DeviceKind.Cuda,
        "ilgpu-cpu" => DeviceKind.IlgpuCpu,
        _ => throw new ArgumentException($"--device '{text}': expected one of {string.Join(", ", All)}"),
    };

    /// <summary>The name of <paramref name="kind"/>.</summary>
    public static string Name(DeviceKind kind) => kind switch
    {
        DeviceKind.Auto => "auto",
        DeviceKind.Cpu => "cpu",
        DeviceKind.Cuda => "cuda",
        _ => "ilgpu-cpu",
    };
}
