using System.CommandLine;

namespace Thermo.Cli.Bench;

/// <summary>
/// One side-by-side benchmark: the same workload as <c>shared/bench/torch_peer.py</c> (same shapes, counts,
/// warm-up and timing), reported under the peer's metric name so the two can be compared as a ratio.
/// Add a workload by adding one class that implements this interface: <see cref="BenchWorkloads"/> finds it.
/// </summary>
public interface IBenchWorkload
{
    /// <summary>Subcommand name, equal to the peer's workload name (e.g. "gemm").</summary>
    string Name { get; }

    /// <summary>One line for <c>thermo bench --help</c>.</summary>
    string Description { get; }

    /// <summary>Runs the workload and returns its metrics, the peer's metric name included.</summary>
    BenchResult Run();

    /// <summary>Options of this workload's subcommand beyond --json (e.g. gibbs's --device and --chains).</summary>
    IReadOnlyList<Option> Options => [];

    /// <summary>Runs with the parsed options (default: <see cref="Run()"/>).</summary>
    BenchResult Run(ParseResult parse) => Run();
}
