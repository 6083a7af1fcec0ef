namespace Thermo.Cli.Slurm;

/// <summary>Where one shard of a Slurm run stands.</summary>
public enum ShardState
{
    /// <summary>Its output file exists (outputs are written atomically, so it is complete).</summary>
    Done,
    /// <summary>Queued, not started.</summary>
    Pending,
    /// <summary>Running now.</summary>
    Running,
    /// <summary>Neither done nor in the queue: it failed, was cancelled or was killed; <c>thermo slurm resume</c> reruns it.</summary>
    Failed,
}
