namespace Thermo.Devices;

/// <summary>
/// Where sampling runs. <see cref="Cpu"/> is Thermo's own CPU engine (the default, unchanged); the others go through
/// ILGPU: <see cref="Cuda"/> an NVIDIA GPU through its driver, <see cref="IlgpuCpu"/> ILGPU's CPU accelerator, which
/// runs the same kernels on the host so that every device kernel is tested without a GPU; <see cref="Auto"/> is CUDA
/// when a driver and a device are present, otherwise the CPU engine.
/// </summary>
public enum DeviceKind
{
    /// <summary>CUDA when available, else <see cref="Cpu"/>.</summary>
    Auto,
    /// <summary>The CPU engine (no ILGPU).</summary>
    Cpu,
    /// <summary>ILGPU's CUDA accelerator.</summary>
    Cuda,
    /// <summary>ILGPU's CPU accelerator (the test device).</summary>
    IlgpuCpu,
}
