using System.CommandLine;

namespace Thermo.Cli.Commands;

/// <summary>Every top-level command, in data-flow order (the order `thermo --help` lists them).</summary>
public static class CommandCatalog
{
    /// <summary>The commands.</summary>
    public static IEnumerable<Command> All()
    {
        yield return QuickstartCommand.Create();
        yield return DataCommand.Create();
        yield return TrainCommand.Create();
        yield return EvalCommand.Create();
        yield return QuantizeCommand.Create();
        yield return MergeCommand.Create();
        yield return ExportCommand.Create();
        yield return IsingCommand.Create();
        yield return ScheduleCommand.Create();
        yield return LangevinCommand.Create();
        yield return ReportCommand.Create();
        yield return SlurmCommand.Create();
        yield return BenchCommand.Create();
    }
}
