namespace Thermo.Distributed;

/// <summary>How training spreads over processes (<c>thermo train --distributed</c>).</summary>
public enum DistributedMode
{
    /// <summary>One process.</summary>
    None,
    /// <summary>Data parallelism over the processes of <c>mpirun -np P</c> (Open MPI).</summary>
    Mpi,
}
