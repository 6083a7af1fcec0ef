using Thermo.Cli;

return CliApplication.Run(args);
