namespace Thermo.Sampling;

/// <summary>Scratch for <see cref="FlipGatherKernel.Apply"/>: one flip list (position, channel, Δs).</summary>
internal sealed class FlipScratch
{
    public int[] Position = new int[64];
    public int[] Row = new int[64];
    public float[] Delta = new float[64];

    public int[] Position2 = new int[64];
    public int[] Row2 = new int[64];
    public float[] Delta2 = new float[64];
    public int[] Count = new int[65];

    public void Ensure(int entries)
    {
        if (Position.Length >= entries) return;
        Position = new int[entries]; Row = new int[entries]; Delta = new float[entries];
    }

    public void EnsureSorted(int entries)
    {
        if (Position2.Length >= entries) return;
        Position2 = new int[entries]; Row2 = new int[entries]; Delta2 = new float[entries];
    }
}
