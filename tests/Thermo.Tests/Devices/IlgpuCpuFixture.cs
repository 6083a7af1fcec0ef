using ILGPU;
using ILGPU.Runtime;
using Thermo.Devices;

namespace Thermo.Tests.Devices;

/// <summary>One ILGPU CPU accelerator with the training kernels loaded, shared by a test class (kernels compile once).</summary>
public sealed class IlgpuCpuFixture : IDisposable
{
    internal ComputeDevice Device { get; } = ComputeDevice.Open(DeviceKind.IlgpuCpu)!;
    DeviceTrainingOps? ops;
    internal DeviceTrainingOps Ops => ops ??= new DeviceTrainingOps(Device.Accelerator);

    internal MemoryBuffer1D<float, Stride1D.Dense> Upload(float[] data)
    {
        var b = Device.Accelerator.Allocate1D<float>(Math.Max(1, data.Length));
        if (data.Length > 0) b.View.SubView(0, data.Length).CopyFromCPU(data);
        return b;
    }

    internal MemoryBuffer1D<int, Stride1D.Dense> Upload(int[] data)
    {
        var b = Device.Accelerator.Allocate1D<int>(Math.Max(1, data.Length));
        b.CopyFromCPU(data);
        return b;
    }

    internal static float[] Download(MemoryBuffer1D<float, Stride1D.Dense> b, int length)
    {
        var r = new float[length];
        b.View.SubView(0, length).CopyToCPU(r);
        return r;
    }

    public void Dispose() => Device.Dispose();
}
