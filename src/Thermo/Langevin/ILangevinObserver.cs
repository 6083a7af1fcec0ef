namespace Thermo.Langevin;

/// <summary>
/// Watches a Langevin run without changing it (what to record, separate from the program and the schedule).
/// The simulator calls <see cref="Observe"/> from several worker threads, each for its own rows.
/// </summary>
public interface ILangevinObserver
{
    /// <summary>Called once before a run of <paramref name="rows"/> trajectories with <paramref name="moving"/> moving units.</summary>
    void Begin(int rows, int moving, LangevinSchedule schedule);

    /// <summary>
    /// State after step <paramref name="step"/> (0 = the initial state) of rows [row0, row0 + count): row r's
    /// moving units are x[r·stride .. r·stride + moving).
    /// </summary>
    void Observe(int step, int row0, int count, ReadOnlySpan<float> x, int stride);
}

/// <summary>Records moving units [<paramref name="firstUnit"/>, +<paramref name="units"/>) of the first
/// <paramref name="rows"/> trajectories every <paramref name="every"/> steps (for plots).</summary>
public sealed class TrajectoryObserver(int rows, int firstUnit, int units, int every = 1) : ILangevinObserver
{
    int samples;

    /// <summary>Recorded values [row][sample][unit]; sample s is step s·every.</summary>
    public float[] Values { get; private set; } = [];
    /// <summary>Recorded rows, samples per row, units per sample.</summary>
    public int Rows => rows;
    /// <inheritdoc cref="Rows"/>
    public int Samples => samples;
    /// <inheritdoc cref="Rows"/>
    public int Units => units;
    /// <summary>Steps between samples.</summary>
    public int Every => every;

    /// <inheritdoc/>
    public void Begin(int totalRows, int movingUnits, LangevinSchedule schedule)
    {
        if (every <= 0) throw new ArgumentException($"record interval must be positive, got {every}");
        if (firstUnit < 0 || firstUnit + units > movingUnits) throw new ArgumentException($"units [{firstUnit}, {firstUnit + units}) outside the {movingUnits} moving units");
        samples = schedule.Steps / every + 1;
        Values = new float[Math.Min(rows, totalRows) * samples * units];
    }

    /// <inheritdoc/>
    public void Observe(int step, int row0, int count, ReadOnlySpan<float> x, int stride)
    {
        if (step % every != 0) return;
        int s = step / every;
        for (int r = 0; r < count; r++)
        {
            int row = row0 + r;
            if (row >= rows) return;
            x.Slice(r * stride + firstUnit, units).CopyTo(Values.AsSpan((row * samples + s) * units, units));
        }
    }
}
