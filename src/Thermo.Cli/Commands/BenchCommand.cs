using System.CommandLine;
using Thermo.Cli.Bench;

namespace Thermo.Cli.Commands;

/// <summary>
/// <c>thermo bench &lt;workload&gt; [--json]</c>: the side-by-side benchmarks of shared/bench (one subcommand per
/// <see cref="IBenchWorkload"/>), each printing the peer's metric so runs can be compared as ratios.
/// </summary>
public static class BenchCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var bench = new Command("bench", """
            Side-by-side benchmarks against the PyTorch peer (shared/bench/torch_peer.py): each workload runs the
            peer's shapes, counts, warm-up and timing and prints the peer's metric. Compare as a ratio measured
            in one run on one machine, e.g.
              /usr/bin/python3 shared/bench/torch_peer.py --threads 2 gemm train
              thermo bench gemm --json --threads 2
            """);
        foreach (var workload in BenchWorkloads.All())
        {
            var json = CommonOptions.Json();
            var command = new Command(workload.Name, workload.Description) { json };
            foreach (var option in workload.Options) command.Options.Add(option);
            command.WithAction(parse =>
            {
                var result = workload.Run(parse);
                // VmHWM on Linux: the process's peak resident memory, the figure /usr/bin/time -v reports.
                result.Add("peak_resident_bytes", System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64);
                Console.WriteLine(parse.GetValue(json) ? result.ToJson() : result.ToText());
                return result.ExitCode;
            });
            bench.Subcommands.Add(command);
        }
        return bench;
    }
}
