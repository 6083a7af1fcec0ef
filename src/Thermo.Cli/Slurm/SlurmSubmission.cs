namespace Thermo.Cli.Slurm;

/// <summary>One sbatch of a run's array script: its job id and the array indices (shards) it ran.</summary>
public sealed record SlurmSubmission(string ArrayJob, int[] Shards);
