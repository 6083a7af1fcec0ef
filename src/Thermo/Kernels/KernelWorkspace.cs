using System.Runtime.CompilerServices;

namespace Thermo.Kernels;

/// <summary>
/// Per-thread scratch memory of the kernels (packed GEMM panels, im2col columns), 64-byte aligned and pinned,
/// grown on demand and reused, so steady-state kernel calls allocate nothing.
/// </summary>
internal sealed unsafe class KernelWorkspace
{
    /// <summary>Named scratch regions; a kernel owns its slots for the duration of one call on this thread.</summary>
    public enum Slot { PackA, PackB, Columns, Tile, WinogradInput, WinogradProduct, Count }

    [ThreadStatic] static KernelWorkspace? current;

    readonly float[]?[] arrays = new float[(int)Slot.Count][];
    readonly float*[] aligned = new float*[(int)Slot.Count];

    /// <summary>The calling thread's workspace.</summary>
    public static KernelWorkspace Current => current ??= new KernelWorkspace();

    /// <summary>At least <paramref name="floats"/> floats of scratch in <paramref name="slot"/> (contents undefined).</summary>
    public float* Get(Slot slot, long floats)
    {
        int s = (int)slot;
        var array = arrays[s];
        if (array is null || array.LongLength - 16 < floats)
        {
            // Pinned (POH) arrays never move, so the aligned pointer stays valid for the array's lifetime.
            long size = Math.Max(floats + 16, array is null ? 0 : array.LongLength * 3 / 2);
            array = GC.AllocateUninitializedArray<float>(checked((int)size), pinned: true);
            arrays[s] = array;
            nint p = (nint)Unsafe.AsPointer(ref array[0]);
            aligned[s] = (float*)((p + 63) & ~(nint)63);
        }
        return aligned[s];
    }
}
