namespace Thermo.Distributed;

/// <summary>
/// The processes started together by <c>mpirun -np P</c> (MPI_COMM_WORLD): this process's rank, their number and
/// the two collectives data parallelism uses. Thermo has no transport of its own; Open MPI moves the bytes.
/// Dispose calls MPI_Finalize.
/// </summary>
public sealed class MpiWorld : IDisposable
{
    bool finalized;

    MpiWorld(int rank, int size) { Rank = rank; Size = size; }

    /// <summary>This process's rank, 0 ≤ rank &lt; <see cref="Size"/>.</summary>
    public int Rank { get; }

    /// <summary>Number of processes.</summary>
    public int Size { get; }

    /// <summary>Initialises MPI (once per process). Run alone, without mpirun, this is a world of one.</summary>
    public static MpiWorld Join()
    {
        OpenMpi.Init();
        return new MpiWorld(OpenMpi.Rank(), OpenMpi.Size());
    }

    /// <summary>Every rank's <paramref name="send"/> (equal lengths), concatenated in rank order into <paramref name="receive"/>.</summary>
    public void AllGather(ReadOnlySpan<float> send, Span<float> receive)
    {
        if (receive.Length != send.Length * Size) throw new ArgumentException($"all-gather of {send.Length} values from {Size} ranks needs {send.Length * Size}, got {receive.Length}");
        OpenMpi.AllGather(send, receive);
    }

    /// <summary>Overwrites <paramref name="values"/> on every rank with rank <paramref name="root"/>'s.</summary>
    public void Broadcast(Span<float> values, int root = 0) => OpenMpi.Broadcast(values, root);

    /// <inheritdoc cref="Broadcast(Span{float}, int)"/>
    public void Broadcast(Span<int> values, int root = 0) => OpenMpi.Broadcast(values, root);

    /// <summary>Ends every process of the job with <paramref name="code"/>: one rank's failure must not leave the others waiting in a collective.</summary>
    public void Abort(int code) => OpenMpi.Abort(code);

    /// <summary>MPI_Finalize.</summary>
    public void Dispose()
    {
        if (finalized) return;
        finalized = true;
        OpenMpi.Shutdown();
    }
}
