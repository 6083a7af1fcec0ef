using System.CommandLine;
using Thermo.Kernels;
using System.Text.Json;
using System.Text.RegularExpressions;
using Thermo.IO;
using Thermo.Tensors;

namespace Thermo.Cli;

/// <summary>
/// Runs a command body and turns every failure into one clear line on stderr and a non-zero exit code instead of a
/// stack trace: input the command cannot use (arguments, files, models of a kind it does not handle) exits 2, a
/// failure to finish with usable input exits 1.
/// </summary>
public static partial class CliAction
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

    /// <summary>The first words of the line printed for an exception nothing anticipated (a bug in Thermo).</summary>
    public const string InternalError = "internal error";

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
        // The rule (docs/reliability.md, "Command line"): 2 when the command cannot use what it was given (an option, an
        // input file's content, a model or program of a kind it does not handle); 1 when it could not finish with it.
        catch (Exception e) when (e is InvalidDataException or ArgumentException or FileNotFoundException or DirectoryNotFoundException or FormatException
                                      or JsonException or NotSupportedException || JsonInput.IsConversionError(e))
        {
            return Report(Message(e), e, BadInput);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return Report(Message(e), e, Failure);
        }
        catch (OutOfMemoryException e)
        {
            return Report("out of memory: these settings need more memory than this process can get; choose smaller counts (examples, chains, samples, batch size)", e, Failure);
        }
        catch (Exception e)
        {
            // Validation should have refused whatever led here; the line says so rather than passing for a refusal.
            return Report($"{InternalError}: {Message(e)} (a bug in Thermo; THERMO_DEBUG=1 prints where)", e, Failure);
        }
    }

    static int Report(string message, Exception e, int exitCode)
    {
        Console.Error.WriteLine($"error: {message}");
        if (Environment.GetEnvironmentVariable("THERMO_DEBUG") == "1") Console.Error.WriteLine(e);
        return exitCode;
    }

    /// <summary>
    /// The line shown for <paramref name="e"/>, without .NET internals: JSON and serializer errors in words
    /// (<see cref="JsonInput.Message"/>); no " (Parameter 'count')" (the name of a .NET parameter the user never saw)
    /// or "Actual value was …"; the user's paths instead of staging and temporary names (<see cref="CommandOutput.ForUser"/>).
    /// </summary>
    public static string Message(Exception e)
    {
        string message = JsonInput.Message(e);
        message = ParameterSuffix().Replace(message, "");
        return CommandOutput.ForUser(message);
    }

    [GeneratedRegex(@" ?\(Parameter '[^']*'\)|\s*Actual value was [^\n]*")]
    private static partial Regex ParameterSuffix();

    /// <summary>Sets the action of <paramref name="command"/> to <paramref name="body"/> wrapped by <see cref="Run"/>.</summary>
    public static Command WithAction(this Command command, Func<ParseResult, int> body)
    {
        command.SetAction(parse => Run(parse, () => body(parse)));
        return command;
    }
}
