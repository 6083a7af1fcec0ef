using System.CommandLine;
using Thermo.Tensors;

namespace Thermo.Cli;

/// <summary>
/// Runs a command body and turns expected failures (bad input files, bad arguments) into one clear line
/// on stderr and a non-zero exit code instead of a stack trace.
/// </summary>
public static class CliAction
{
    /// <summary>Exit code for invalid input data or arguments.</summary>
    public const int BadInput = 2;
    /// <summary>Exit code for other failures.</summary>
    public const int Failure = 1;
    /// <summary>
    /// Exit code of a run stopped by SIGTERM after writing its checkpoint (sysexits' EX_TEMPFAIL: try again): the
    /// job script requeues on it, and the next start continues with <c>--auto-resume</c>.
    /// </summary>
    public const int Preempted = 75;

    /// <summary>Wraps <paramref name="body"/> with thread setup and error reporting.</summary>
    public static int Run(ParseResult parse, Func<int> body)
    {
        try
        {
            int threads = parse.GetValue(CommonOptions.Threads);
            if (threads < 1 || threads > CommonOptions.MaxThreads)
                throw new ArgumentException($"--threads must be between 1 and {CommonOptions.MaxThreads} (this machine has {Environment.ProcessorCount} cores), got {threads}");
            ParallelRange.Threads = threads;
            return body();
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or FileNotFoundException or DirectoryNotFoundException or FormatException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or NotSupportedException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            if (Environment.GetEnvironmentVariable("THERMO_DEBUG") == "1") Console.Error.WriteLine(e);
            return Failure;
        }
    }

    /// <summary>Sets the action of <paramref name="command"/> to <paramref name="body"/> wrapped by <see cref="Run"/>.</summary>
    public static Command WithAction(this Command command, Func<ParseResult, int> body)
    {
        command.SetAction(parse => Run(parse, () => body(parse)));
        return command;
    }
}
