using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Thermo.Sampling;

/// <summary>
/// How many 16-channel blocks (1–4: 16 to 64 channels) one instantiation of a spin kernel handles at once. A type,
/// not a number, so the JIT compiles one specialised loop per count with all accumulators in registers.
/// </summary>
internal interface IChannelBlocks { static abstract int Count { get; } }

internal struct OneBlock : IChannelBlocks { public static int Count => 1; }
internal struct TwoBlocks : IChannelBlocks { public static int Count => 2; }
internal struct ThreeBlocks : IChannelBlocks { public static int Count => 3; }
internal struct FourBlocks : IChannelBlocks { public static int Count => 4; }

/// <summary>Operations on one 16-channel block (one Vector512) that several spin kernels share.</summary>
internal static unsafe class ChannelBlock
{
    /// <summary>f[0..16) += v.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddTo(float* f, Vector512<float> v) => Vector512.Store(Vector512.Load(f) + v, f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> LaneMask(uint m) =>
        ~Vector512.Equals(Vector512.Create((int)m) & Vector512.Create(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768), Vector512<int>.Zero);
}
