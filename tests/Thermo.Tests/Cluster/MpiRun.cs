using System.Diagnostics;

namespace Thermo.Tests.Cluster;

/// <summary>Runs the built CLI under Open MPI's <c>mpirun</c>, as root and with more processes than cores, as CI does.</summary>
internal static class MpiRun
{
    /// <summary>Why MPI tests cannot run here, or null when mpirun and Open MPI's libmpi.so.40 are installed.</summary>
    public static string? Missing { get; } = FindMissing();

    static string? FindMissing()
    {
        if (ClusterTools.Which("mpirun") is null) return "mpirun is not on PATH";
        if (!System.Runtime.InteropServices.NativeLibrary.TryLoad("libmpi.so.40", out var h)) return "Open MPI's libmpi.so.40 cannot be loaded";
        System.Runtime.InteropServices.NativeLibrary.Free(h);
        return null;
    }

    /// <summary>Runs <c>mpirun -np <paramref name="processes"/> thermo ARGS</c> and returns its exit code and output.</summary>
    public static (int Exit, string Out, string Err) Run(int processes, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("mpirun") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["--allow-run-as-root", "--oversubscribe", "-np", processes.ToString(), "dotnet", Path.Combine(AppContext.BaseDirectory, "Thermo.Cli.dll")])
            start.ArgumentList.Add(a);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["THERMO_OFFLINE"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(true);
            throw new TimeoutException($"mpirun -np {processes} thermo {string.Join(' ', args)} did not exit within {timeout}");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
