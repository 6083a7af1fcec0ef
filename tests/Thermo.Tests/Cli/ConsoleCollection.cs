namespace Thermo.Tests.Cli;

/// <summary>
/// Tests that run `thermo` in process and capture <see cref="Console"/>: the console is one per process, so they run
/// alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}
