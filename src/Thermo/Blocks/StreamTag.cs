namespace Thermo.Blocks;

/// <summary>
/// The constant last words of the Philox streams an Ising-block network draws from (<c>Philox.Stream(a, b, tag)</c>).
/// Each names one use of randomness, so two uses never share a stream; changing a value changes every result.
/// </summary>
public static class StreamTag
{
    /// <summary>Block b's sampling request under seed s: stream (s, b, <see cref="BlockSampling"/>).</summary>
    public const ulong BlockSampling = 0xB10C;
    /// <summary>The fair coin that breaks an exact tie of a sign-average (even G): stream (block, example, <see cref="TieBreak"/>), index = spin.</summary>
    public const ulong TieBreak = 0x71E;
    /// <summary>The pilot's own seed, derived from the measurement seed: stream (seed, <see cref="PilotSeed"/>).</summary>
    public const ulong PilotSeed = 0x9170;
    /// <summary>The pilot's key of an upstream path (block, G, then the G of every earlier block).</summary>
    public const ulong PilotPath = 0xB10C5;
}
