namespace Thermo.Tests.Cluster;

/// <summary>Finds the cluster programs (mpirun, sbatch, slurmctld, …) the cluster tests drive.</summary>
internal static class ClusterTools
{
    /// <summary>The full path of <paramref name="program"/> on PATH (or in /usr/sbin, where Debian puts daemons), or null.</summary>
    public static string? Which(string program)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/sbin"]);
        foreach (var dir in dirs)
        {
            string path = Path.Combine(dir, program);
            if (File.Exists(path)) return path;
        }
        return null;
    }
}
