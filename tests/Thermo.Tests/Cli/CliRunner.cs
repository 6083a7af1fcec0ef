using System.Diagnostics;

namespace Thermo.Tests.Cli;

/// <summary>Runs the built `thermo` CLI (Thermo.Cli.dll) as a separate process: its output and exit code are the contract.</summary>
internal static class CliRunner
{
    /// <summary>Starts the CLI with redirected output; the caller owns the process.</summary>
    public static Process Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Thermo.Cli.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["THERMO_OFFLINE"] = "1";
        if (environment is not null)
            foreach (var (k, v) in environment) start.Environment[k] = v;
        return Process.Start(start)!;
    }

    /// <summary>Runs to completion (or throws after <paramref name="timeout"/>) and returns the exit code and output.</summary>
    public static (int Exit, string Out, string Err) Run(IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, params string[] args)
    {
        using var process = Start(environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout)) { process.Kill(true); throw new TimeoutException($"thermo {string.Join(' ', args)} did not exit within {timeout}"); }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs with a 5-minute limit.</summary>
    public static int Run(out string stdout, out string stderr, params string[] args)
    {
        var (exit, o, e) = Run(null, TimeSpan.FromMinutes(5), args);
        stdout = o; stderr = e;
        return exit;
    }
}
