using System.CommandLine;

namespace Thermo.Cli.Commands;

/// <summary>Every top-level command, in data-flow order (the order `thermo --help` lists them).</summary>
public static class CommandCatalog
{
    /// <summary>The commands.</summary>
    public static IEnumerable<Command> All()
    {
        yield return DataCommand.Create();
        yield return ExportCommand.Create();
        yield return LangevinCommand.Create();
        yield return ReportCommand.Create();
        yield return BenchCommand.Create();
    }
}
