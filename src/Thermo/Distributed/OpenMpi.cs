using System.Runtime.InteropServices;

namespace Thermo.Distributed;

/// <summary>
/// The few C entry points of Open MPI (libmpi.so.40, Debian's openmpi-bin/libopenmpi-dev) that data parallelism
/// needs (MPI_Init, MPI_Comm_rank/size, MPI_Allgather, MPI_Bcast, MPI_Finalize, MPI_Abort), bound directly: the MPI.NET package loads Windows' msmpi.dll and cannot load Open MPI on Linux.
/// In Open MPI the handles MPI_COMM_WORLD, MPI_FLOAT and MPI_INT are the addresses of exported globals, so they
/// are looked up in the library rather than being constants (other MPI implementations differ, hence Open MPI only).
/// </summary>
internal static unsafe partial class OpenMpi
{
    const string Library = "libmpi.so.40";
    const int Success = 0;

    [LibraryImport(Library, EntryPoint = "MPI_Init")]
    private static partial int MPI_Init(nint argc, nint argv);

    [LibraryImport(Library, EntryPoint = "MPI_Initialized")]
    private static partial int MPI_Initialized(int* flag);

    [LibraryImport(Library, EntryPoint = "MPI_Finalize")]
    private static partial int MPI_Finalize();

    [LibraryImport(Library, EntryPoint = "MPI_Comm_rank")]
    private static partial int MPI_Comm_rank(nint comm, int* rank);

    [LibraryImport(Library, EntryPoint = "MPI_Comm_size")]
    private static partial int MPI_Comm_size(nint comm, int* size);

    [LibraryImport(Library, EntryPoint = "MPI_Allgather")]
    private static partial int MPI_Allgather(void* send, int sendCount, nint sendType, void* receive, int receiveCount, nint receiveType, nint comm);

    [LibraryImport(Library, EntryPoint = "MPI_Bcast")]
    private static partial int MPI_Bcast(void* buffer, int count, nint type, int root, nint comm);

    [LibraryImport(Library, EntryPoint = "MPI_Abort")]
    private static partial int MPI_Abort(nint comm, int code);

    static nint handle;

    static nint Export(string name) => NativeLibrary.GetExport(handle, name);

    internal static nint CommWorld => Export("ompi_mpi_comm_world");
    internal static nint Float => Export("ompi_mpi_float");
    internal static nint Int => Export("ompi_mpi_int");

    /// <summary>Loads libmpi and calls MPI_Init; throws <see cref="NotSupportedException"/> with the reason when Open MPI is absent.</summary>
    internal static void Init()
    {
        try
        {
            handle = NativeLibrary.Load(Library);
            _ = Export("ompi_mpi_comm_world");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new InvalidOperationException($"--distributed mpi needs Open MPI's {Library} (Debian: apt-get install openmpi-bin libopenmpi-dev): {e.Message}");
        }
        int flag;
        Check(MPI_Initialized(&flag), "MPI_Initialized");
        if (flag == 0) Check(MPI_Init(0, 0), "MPI_Init");
    }

    internal static void Shutdown() => Check(MPI_Finalize(), "MPI_Finalize");

    internal static void Abort(int code) => MPI_Abort(CommWorld, code);

    internal static int Rank()
    {
        int r;
        Check(MPI_Comm_rank(CommWorld, &r), "MPI_Comm_rank");
        return r;
    }

    internal static int Size()
    {
        int s;
        Check(MPI_Comm_size(CommWorld, &s), "MPI_Comm_size");
        return s;
    }

    internal static void AllGather(ReadOnlySpan<float> send, Span<float> receive)
    {
        fixed (float* s = send)
        fixed (float* r = receive)
            Check(MPI_Allgather(s, send.Length, Float, r, send.Length, Float, CommWorld), "MPI_Allgather");
    }

    internal static void Broadcast(Span<float> values, int root)
    {
        fixed (float* v = values)
            Check(MPI_Bcast(v, values.Length, Float, root, CommWorld), "MPI_Bcast");
    }

    internal static void Broadcast(Span<int> values, int root)
    {
        fixed (int* v = values)
            Check(MPI_Bcast(v, values.Length, Int, root, CommWorld), "MPI_Bcast");
    }

    static void Check(int code, string call)
    {
        if (code != Success) throw new InvalidOperationException($"{call} failed with MPI error code {code}");
    }
}
