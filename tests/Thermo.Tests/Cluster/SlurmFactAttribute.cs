namespace Thermo.Tests.Cluster;

/// <summary>A test that needs Slurm and munge; skipped, saying what is missing, when they are not installed.</summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (SlurmCluster.Missing is { } why) Skip = why;
    }
}
