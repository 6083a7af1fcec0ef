using System.Runtime.CompilerServices;

namespace Thermo.Randomness;

/// <summary>
/// Philox4x32-10 (Salmon et al., SC'11): a counter-based generator. Output = bijection_key(counter),
/// so any random number is addressed directly by (seed, stream, index) and a result never depends on
/// thread count, scheduling or how work is split across machines.
/// </summary>
/// <remarks>
/// Counter layout used throughout Thermo: c0 = index (low 32 bits), c1 = index (high 32 bits),
/// c2 = stream (low 32 bits), c3 = stream (high 32 bits); key = seed. Callers build a stream id from
/// their own coordinates (e.g. input, chain, sweep) with <see cref="Stream"/>.
/// </remarks>
public static class Philox
{
    const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /// <summary>One Philox4x32-10 block: four independent uniformly distributed 32-bit words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (uint X0, uint X1, uint X2, uint X3) Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (int round = 0; round < 10; round++)
        {
            ulong p0 = (ulong)M0 * c0, p1 = (ulong)M1 * c2;
            uint hi0 = (uint)(p0 >> 32), lo0 = (uint)p0, hi1 = (uint)(p1 >> 32), lo1 = (uint)p1;
            c0 = hi1 ^ c1 ^ k0; c1 = lo1; c2 = hi0 ^ c3 ^ k1; c3 = lo0;
            k0 += W0; k1 += W1;
        }
        return (c0, c1, c2, c3);
    }

    /// <summary>Block addressed by a 64-bit seed, 64-bit stream and 64-bit index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (uint X0, uint X1, uint X2, uint X3) Block(ulong seed, ulong stream, ulong index) =>
        Block((uint)index, (uint)(index >> 32), (uint)stream, (uint)(stream >> 32), (uint)seed, (uint)(seed >> 32));

    /// <summary>Mixes coordinates into one 64-bit stream id (SplitMix64 finaliser chain; injective in practice).</summary>
    public static ulong Stream(ulong a, ulong b = 0, ulong c = 0)
    {
        ulong h = Mix(a + 0x9E3779B97F4A7C15UL);
        h = Mix(h ^ (b + 0xD1B54A32D192ED03UL));
        return Mix(h ^ (c + 0x8CB92BA72F3D8DD7UL));
    }

    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Maps a 32-bit word to a float uniform on [0, 1) with 24 bits of resolution.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToUniform(uint x) => (x >> 8) * (1.0f / 16777216.0f);

    /// <summary>Maps a 32-bit word to a float uniform on (0, 1]: safe for logarithms.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToUniformOpenZero(uint x) => ((x >> 8) + 1) * (1.0f / 16777216.0f);

    /// <summary>Fills <paramref name="destination"/> with uniforms on [0,1): element i comes from index (offset + i).</summary>
    public static void FillUniform(ulong seed, ulong stream, ulong offset, Span<float> destination)
    {
        int i = 0;
        // Whole blocks are addressed by (offset + i) / 4 only when offset is block-aligned; otherwise
        // fall back to per-element addressing so element i is always the same number.
        if ((offset & 3) == 0)
        {
            ulong block = offset >> 2;
            for (; i + 4 <= destination.Length; i += 4, block++)
            {
                var (a, b, c, d) = Block(seed, stream, block);
                destination[i] = ToUniform(a); destination[i + 1] = ToUniform(b);
                destination[i + 2] = ToUniform(c); destination[i + 3] = ToUniform(d);
            }
        }
        for (; i < destination.Length; i++) destination[i] = Uniform(seed, stream, offset + (ulong)i);
    }

    /// <summary>The uniform on [0,1) at element <paramref name="index"/> of (seed, stream): word (index mod 4) of block index/4.</summary>
    public static float Uniform(ulong seed, ulong stream, ulong index)
    {
        var (a, b, c, d) = Block(seed, stream, index >> 2);
        return ToUniform((index & 3) switch { 0 => a, 1 => b, 2 => c, _ => d });
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with standard normals by Box–Muller: words (a, b) and (c, d) of
    /// block k give elements 4k..4k+3 as r·cos θ, r·sin θ with r = √(−2 ln u), θ = 2πv, u from the first word
    /// of a pair on (0, 1], v from the second on [0, 1) (<see cref="BoxMuller"/>). <paramref name="offset"/> must be
    /// a multiple of 4. Vectorised (16-lane Philox and transform) on one thread: callers split long spans at
    /// multiples of 4 (as <c>BlockOps.ReadoutNoise</c> does), which leaves every element the same. The
    /// double-precision reference lives in the tests.
    /// </summary>
    public static void FillNormal(ulong seed, ulong stream, ulong offset, Span<float> destination)
    {
        if ((offset & 3) != 0) throw new ArgumentException("offset must be a multiple of 4", nameof(offset));
        int i = PhiloxVector.IsAccelerated ? PhiloxVector.FillNormal(seed, stream, offset, destination) : 0;
        for (int n = destination.Length; i < n; i += 4)
        {
            var (a, b, c, d) = Block(seed, stream, (offset + (ulong)i) >> 2);
            BoxMuller.Pair(a, b, out float z0, out float z1);
            BoxMuller.Pair(c, d, out float z2, out float z3);
            destination[i] = z0;
            if (i + 1 < n) destination[i + 1] = z1;
            if (i + 2 < n) destination[i + 2] = z2;
            if (i + 3 < n) destination[i + 3] = z3;
        }
    }
}
