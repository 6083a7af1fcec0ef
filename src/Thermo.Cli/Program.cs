using System.CommandLine;
using Thermo.Cli;
using Thermo.Cli.Commands;

var root = new RootCommand("""
    Thermo: train neural networks for thermodynamic hardware and simulate that hardware.

    The data flow, one command group per stage:
      data      fetch and inspect datasets (MNIST, Fashion-MNIST, CIFAR-10/100)
      train     train a network (digital or thermodynamic) and write a checkpoint
      eval      evaluate a checkpoint: forward, mean-field or real Gibbs sampling
      ising     compile networks to Ising programs and sample them
      schedule  choose samples per block for a target accuracy at least cost
      langevin  Langevin (analog) thermodynamic computers: train, evaluate, export
      export    export a trained digital network to ONNX
      report    render a run's JSON/Markdown/HTML report with plots
      bench     side-by-side benchmarks against the PyTorch peer
    Start with `thermo quickstart`.
    """);
root.Options.Add(CommonOptions.Threads);
foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
return await root.Parse(args).InvokeAsync();
