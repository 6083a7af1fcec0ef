using System.CommandLine;
using System.Diagnostics;
using Thermo.Cli;

namespace Thermo.Tests.Cli;

/// <summary>
/// Runs `thermo` in this process through <see cref="CliApplication.Run"/>, with stdout and stderr captured: hundreds of
/// invocations per second instead of one process start each. Only for tests in <see cref="ConsoleCollection"/>.
/// </summary>
internal static class InProcessCli
{
    /// <summary>Exit code, output, and the exception that escaped the command line (null when none did).</summary>
    public sealed record Outcome(int Exit, string Out, string Err, Exception? Escaped, TimeSpan Took);

    /// <summary>
    /// Runs with a time limit. A run past <paramref name="limit"/> cannot be stopped in process: it is left on a background
    /// thread (which dies with the test process) and the outcome says <c>TimedOut</c>.
    /// </summary>
    public static Outcome Run(TimeSpan limit, params string[] args)
    {
        Outcome? outcome = null;
        var thread = new Thread(() => outcome = Run(args)) { IsBackground = true, Name = "thermo " + string.Join(' ', args) };
        thread.Start();
        if (thread.Join(limit)) return outcome!;
        return new Outcome(-1, "", "", new TimeoutException($"still running after {limit.TotalSeconds:F0} s"), limit);
    }

    public static Outcome Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var (previousOut, previousErr) = (Console.Out, Console.Error);
        Console.SetOut(stdout);
        Console.SetError(stderr);
        var clock = Stopwatch.StartNew();
        int exit = -1;
        Exception? escaped = null;
        try
        {
            // No default exception handler: an exception the command line lets through reaches the test as itself.
            exit = CliApplication.Run(args, new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = stdout, Error = stderr, ProcessTerminationTimeout = null });
        }
        catch (Exception e) { escaped = e; }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousErr);
        }
        return new Outcome(exit, stdout.ToString(), stderr.ToString(), escaped, clock.Elapsed);
    }
}
