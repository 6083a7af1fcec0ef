using System.CommandLine;
using System.CommandLine.Help;
using Thermo.Cli.Commands;

namespace Thermo.Cli;

/// <summary>
/// The `thermo` command line as one object: the catalogue of commands, the overview printed by `thermo --help`,
/// and the handling of parse errors. <c>Program</c> runs it on the process's arguments; tests run it in process.
/// </summary>
public static partial class CliApplication
{
    /// <summary>What `thermo --help` says first.</summary>
    public const string Overview = """
        Thermo: train neural networks for thermodynamic hardware and simulate that hardware.

        The data flow, one command group per stage:
          data → train → (quantize) → ising / eval --mode gibbs → schedule → report,  with langevin beside it.
        Start with `thermo quickstart`; `thermo COMMAND --help` explains each command with examples.
        """;

    /// <summary>
    /// Builds the root command. A plain command named "thermo" (rather than RootCommand, which takes the assembly's
    /// name) so usage lines read `thermo train [options]`.
    /// </summary>
    public static Command Root()
    {
        var root = new Command("thermo", Overview);
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption());
        root.Options.Add(CommonOptions.Threads);
        foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
        root.SetAction(_ => { Catalogue(root); return 0; });
        return root;
    }

    /// <summary>
    /// Runs `thermo <paramref name="args"/>` and returns the exit code: parse errors print one `error:` line each and a
    /// pointer to the command's help (exit 2); command failures are mapped by <see cref="CliAction"/>.
    /// </summary>
    public static int Run(string[] args, InvocationConfiguration? configuration = null)
    {
        var root = Root();
        if (args.Length == 0 || args is ["--help"] or ["-h"] or ["-?"])
        {
            Catalogue(root);
            return 0;
        }
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // One line per error; the last one points to the command's help.
            string where = parsed.CommandResult.Command == root ? "thermo" : $"thermo {string.Join(' ', CommandPath(parsed.CommandResult.Command, root))}";
            for (int i = 0; i < parsed.Errors.Count; i++)
                Console.Error.WriteLine($"error: {Describe(parsed.Errors[i])}" + (i == parsed.Errors.Count - 1 ? $" (see `{where} --help`)" : ""));
            return CliAction.BadInput;
        }
        return parsed.Invoke(configuration ?? new InvocationConfiguration());
    }

    /// <summary>
    /// A parse error as one line without .NET type names: System.CommandLine says "Cannot parse argument 'foo' for
    /// option '--mode' as expected type 'Thermo.Training.EvalMode'. Did you mean one of the following?" and lists
    /// values on further lines; here "--mode: 'foo' is not one of forward, meanfield, gibbs".
    /// </summary>
    static string Describe(System.CommandLine.Parsing.ParseError error)
    {
        var m = ExpectedType().Match(error.Message);
        if (m.Success)
        {
            string name = m.Groups["name"].Value, value = m.Groups["value"].Value;
            var type = error.SymbolResult is System.CommandLine.Parsing.OptionResult option ? option.Option.ValueType
                : error.SymbolResult is System.CommandLine.Parsing.ArgumentResult argument ? argument.Argument.ValueType : null;
            if (type is not null && (Nullable.GetUnderlyingType(type) ?? type) is { IsEnum: true } values)
                return $"{name}: '{value}' is not one of {string.Join(", ", Enum.GetNames(values).Select(v => v.ToLowerInvariant()))}";
            return $"{name}: '{value}' is not a value it takes";
        }
        return string.Join(" ", error.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"Cannot parse argument '(?<value>.*?)' for (?:option|argument|command) '(?<name>.*?)' as expected type '[^']*'")]
    private static partial System.Text.RegularExpressions.Regex ExpectedType();

    static IEnumerable<string> CommandPath(Command command, Command root)
    {
        var names = new Stack<string>();
        for (var c = command; c is not null && c != root; c = c.Parents.OfType<Command>().FirstOrDefault()) names.Push(c.Name);
        return names;
    }

    static void Catalogue(Command root)
    {
        Console.WriteLine(Overview);
        Console.WriteLine("\nUsage: thermo COMMAND [options]\n\nCommands:");
        int width = root.Subcommands.Max(c => c.Name.Length) + 2;
        foreach (var c in root.Subcommands) Console.WriteLine($"  {c.Name.PadRight(width)}{Summary(c.Description ?? "")}");
        Console.WriteLine("\nOptions:\n  --threads N   worker threads for kernels (default: all cores)\n  --version     Thermo's version\n\nDocumentation: README.md and docs/ (method, results, benchmarks, formats).");
    }

    // The first sentence of a command's description (continuing past a colon when what precedes it is only a
    // title, e.g. "Ising programs: what an Ising machine runs").
    static string Summary(string description)
    {
        string text = System.Text.RegularExpressions.Regex.Replace(description.Replace("e.g.", "e·g·").Replace("i.e.", "i·e·"), @"\s+", " ").Trim();
        int end = text.Length;
        foreach (var stop in new[] { ". ", ":", " (see" })
        {
            int i = text.IndexOf(stop, StringComparison.Ordinal);
            if (stop == ":" && i >= 0 && i < 20) i = text.IndexOfAny(['.', ':'], i + 1);
            if (i > 0 && i < end) end = i;
        }
        string first = text[..end].Trim().TrimEnd('.').Replace("e·g·", "e.g.").Replace("i·e·", "i.e.");
        return first.Length > 0 ? char.ToUpperInvariant(first[0]) + first[1..] : first;
    }
}
