namespace Thermo.Tests.Cluster;

/// <summary>A test that needs Open MPI; skipped, saying what is missing, when it is not installed.</summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        if (MpiRun.Missing is { } why)
            Skip = $"{why}: apt-get install openmpi-bin libopenmpi-dev (.ci/run installs them when it runs as root)";
    }
}
