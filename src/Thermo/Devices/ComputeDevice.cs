using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace Thermo.Devices;

/// <summary>
/// An opened ILGPU accelerator (CUDA or ILGPU's CPU accelerator) with its context; kernels compiled for it are
/// cached by ILGPU per accelerator. <see cref="Open"/> returns null for the CPU engine. Dispose to release it.
/// </summary>
public sealed class ComputeDevice : IDisposable
{
    readonly Context context;

    /// <summary>What was opened (never <see cref="DeviceKind.Auto"/> or <see cref="DeviceKind.Cpu"/>).</summary>
    public DeviceKind Kind { get; }
    /// <summary>The accelerator's own name, e.g. "NVIDIA H200" or "CPUAccelerator".</summary>
    public string Name => Accelerator.Name;
    /// <summary>The ILGPU accelerator.</summary>
    internal Accelerator Accelerator { get; }
    /// <summary>Device memory in bytes.</summary>
    public long MemorySize => Accelerator.MemorySize;

    ComputeDevice(DeviceKind kind, Context context, Accelerator accelerator)
    {
        Kind = kind; this.context = context; Accelerator = accelerator;
    }

    /// <summary>
    /// Opens <paramref name="kind"/>: null for <see cref="DeviceKind.Cpu"/>, and for <see cref="DeviceKind.Auto"/>
    /// when no CUDA device is present; throws <see cref="InvalidOperationException"/> when CUDA is asked for and absent.
    /// </summary>
    public static ComputeDevice? Open(DeviceKind kind)
    {
        switch (kind)
        {
            case DeviceKind.Cpu:
                return null;
            case DeviceKind.IlgpuCpu:
            {
                var ctx = Context.Create(b => b.CPU().Math(MathMode.Default));
                return new ComputeDevice(kind, ctx, ctx.CreateCPUAccelerator(0));
            }
            default:
            {
                var cuda = TryOpenCuda(out string? why);
                if (cuda is not null || kind == DeviceKind.Auto) return cuda;
                throw new InvalidOperationException($"--device cuda: no CUDA device ({why})");
            }
        }
    }

    static ComputeDevice? TryOpenCuda(out string? why)
    {
        ResolveDriverLibrary();
        Context? ctx = null;
        try
        {
            ctx = Context.Create(b => b.Cuda().Math(MathMode.Default));
            var devices = ctx.GetCudaDevices();
            if (devices.Count == 0) { ctx.Dispose(); why = "the CUDA driver reports no device, or libcuda could not be loaded"; return null; }
            why = null;
            return new ComputeDevice(DeviceKind.Cuda, ctx, devices[0].CreateAccelerator(ctx));
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or InvalidOperationException or CudaException or NotSupportedException)
        {
            ctx?.Dispose();
            why = e.Message;
            return null;
        }
    }

    static int resolverSet;

    /// <summary>
    /// ILGPU imports the driver as "cuda", which .NET looks up as libcuda.so; a machine with only the driver (no CUDA
    /// toolkit symlinks) has libcuda.so.1, which is what the driver's own users load. Try that first.
    /// </summary>
    static void ResolveDriverLibrary()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref resolverSet, 1) == 1) return;
        if (File.Exists("/proc/version") && File.ReadAllText("/proc/version").Contains("microsoft", StringComparison.OrdinalIgnoreCase)) return; // ILGPU resolves WSL's driver itself
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Context).Assembly, (name, assembly, path) =>
            {
                if (name != "cuda") return IntPtr.Zero;
                foreach (var candidate in new[] { "libcuda.so.1", "libcuda.so" })
                    if (NativeLibrary.TryLoad(candidate, assembly, path, out var handle)) return handle;
                return IntPtr.Zero;
            });
        }
        catch (InvalidOperationException) { } // a resolver is already set: leave it
    }

    /// <inheritdoc/>
    public override string ToString() => $"{DeviceNames.Name(Kind)} ({Name})";

    /// <inheritdoc/>
    public void Dispose()
    {
        Accelerator.Dispose();
        context.Dispose();
    }
}
