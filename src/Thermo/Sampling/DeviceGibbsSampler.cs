using ILGPU;
using ILGPU.Runtime;
using Thermo.Devices;
using Thermo.Ising;

namespace Thermo.Sampling;

/// <summary>
/// Block Gibbs on an ILGPU accelerator (CUDA, or ILGPU's CPU accelerator in tests): the chain of
/// <see cref="ReferenceGibbsSampler"/> — colours of <see cref="IsingProgram.Colouring"/> in order, u_i = h_i + Σ_j J_ij s_j
/// in ascending j over <see cref="IsingProgram.Graph"/>, s_i = +1 iff U·(1 + e^(−2βu_i)) &lt; 1 with U the Philox uniform at
/// (seed, stream(input, chain, sweep), i) — for many chains per launch, each colour's fields as small GEMMs over chains (<see cref="DeviceFieldPlan"/>,
/// <see cref="DeviceKernels.SweepTiled"/>) with the update fused after them. Every program runs
/// (layered conv/dense with δ and feedback, or sparse with its greedy colouring). Because each field is the reference's
/// sum in the reference's order and <see cref="DeviceGibbsRule"/> is <see cref="GibbsRule"/> bit for bit, a device run
/// equals the reference run with the same seed for any couplings, and the layered CPU sampler whenever its fields
/// are exact (integer couplings). <see cref="SignAverageObserver"/>s reduce on the device and only their sums come
/// back; other observers are fed from a copy of the states after each sweep they observe (slow, for tests and tools).
/// </summary>
public sealed class DeviceGibbsSampler : GibbsSampler, IDisposable
{
    readonly ComputeDevice device;
    readonly Accelerator accelerator;
    readonly int maxThreads;
    readonly MemoryBuffer1D<int, Stride1D.Dense> role;
    readonly MemoryBuffer1D<float, Stride1D.Dense> field;
    readonly Dictionary<int, Plan> plans = [];
    readonly Action<Index1D, DeviceLaunch, ArrayView<sbyte>, ArrayView<int>, ArrayView<sbyte>> initialize;
    readonly Action<KernelConfig, DeviceLaunch, ArrayView<int>, ArrayView<sbyte>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>> sweep;
    readonly Action<Index1D, DeviceLaunch, ArrayView<sbyte>, ArrayView<int>, ArrayView<int>> accumulate;
    MemoryBuffer1D<int, Stride1D.Dense>? state;
    MemoryBuffer1D<sbyte, Stride1D.Dense>? inputs;

    /// <summary>A <see cref="DeviceFieldPlan"/> on the device.</summary>
    sealed record Plan(DeviceFieldPlan Host, MemoryBuffer1D<int, Stride1D.Dense> Tiles, MemoryBuffer1D<int, Stride1D.Dense> Rows,
        MemoryBuffer1D<int, Stride1D.Dense> Neighbors, MemoryBuffer1D<float, Stride1D.Dense> Weights) : IDisposable
    {
        public void Dispose() { Tiles.Dispose(); Rows.Dispose(); Neighbors.Dispose(); Weights.Dispose(); }
    }

    /// <summary>Largest number of (input, chain) items per launch; larger requests run in batches (0 = from device memory).</summary>
    public int MaxBatchItems { get; set; }

    /// <summary>
    /// Neighbours per shared-memory tile of the field kernel, 1 … <see cref="DeviceKernels.MaxTileK"/> (default 32, or the
    /// environment variable THERMO_DEVICE_TILE_K for measurements); any value gives the same chains.
    /// </summary>
    public int TileK { get; set; } = int.TryParse(Environment.GetEnvironmentVariable("THERMO_DEVICE_TILE_K"), out int k)
        ? Math.Clamp(k, 1, DeviceKernels.MaxTileK) : DeviceKernels.MaxTileK;

    /// <summary>Thread blocks of <paramref name="threads"/> threads of the field kernel that fit on one multiprocessor (registers and shared memory).</summary>
    public int BlocksPerMultiprocessor(int threads) => threads > accelerator.MaxNumThreadsPerGroup ? 0 :
        accelerator.EstimateMaxActiveGroupsPerMultiprocessor(accelerator.LoadKernel(typeof(DeviceKernels).GetMethod(nameof(DeviceKernels.SweepTiled))!), threads, 0);

    /// <summary>The device this sampler runs on.</summary>
    public ComputeDevice Device => device;

    /// <summary>Uploads the program's coupling graph, colouring and fixed spins to <paramref name="device"/> and compiles the kernels.</summary>
    public DeviceGibbsSampler(IsingProgram program, ComputeDevice device) : base(program)
    {
        this.device = device ?? throw new ArgumentNullException(nameof(device));
        accelerator = device.Accelerator;
        maxThreads = Math.Min(accelerator.MaxNumThreadsPerGroup, DeviceKernels.MaxLanes * DeviceKernels.TileRows / 8);

        var roles = new int[program.SpinCount];
        Array.Fill(roles, -1);
        int column = 0;
        for (int l = 0; l < program.Layers.Count; l++)
            if (program.Layers[l].IsInput)
                for (int k = 0; k < program.Layers[l].Size; k++) roles[program.LayerOffsets[l] + k] = column++;
        for (int k = 0; k < program.PinnedSpins.Length; k++) roles[program.PinnedSpins[k]] = program.PinnedValues[k] > 0 ? -2 : -3;

        field = Upload(program.Graph.Field);
        role = Upload(roles);
        initialize = accelerator.LoadAutoGroupedStreamKernel<Index1D, DeviceLaunch, ArrayView<sbyte>, ArrayView<int>, ArrayView<sbyte>>(DeviceKernels.Initialize);
        sweep = accelerator.LoadStreamKernel<DeviceLaunch, ArrayView<int>, ArrayView<sbyte>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>>(DeviceKernels.SweepTiled);
        accumulate = accelerator.LoadAutoGroupedStreamKernel<Index1D, DeviceLaunch, ArrayView<sbyte>, ArrayView<int>, ArrayView<int>>(DeviceKernels.Accumulate);
    }

    MemoryBuffer1D<T, Stride1D.Dense> Upload<T>(T[] data) where T : unmanaged
    {
        var buffer = accelerator.Allocate1D<T>(data.Length);
        buffer.CopyFromCPU(data);
        return buffer;
    }

    /// <summary>The tiles for blocks of at most <paramref name="threadRows"/> thread rows, built and uploaded once.</summary>
    Plan PlanFor(int threadRows)
    {
        if (plans.TryGetValue(threadRows, out var plan)) return plan;
        var host = new DeviceFieldPlan(Program, threadRows);
        plan = new Plan(host, Upload(host.Tiles), Upload(host.Rows), Upload(host.Neighbors), Upload(host.Weights));
        plans[threadRows] = plan;
        return plan;
    }

    /// <inheritdoc/>
    public override string Representation => $"device-{DeviceNames.Name(device.Kind)}";

    /// <inheritdoc/>
    protected override ChainRunner CreateRunner() =>
        throw new NotSupportedException("the device sampler runs whole requests on its accelerator; it has no per-chain CPU runner");

    /// <summary>Items per launch: every index (spins × items) fits an int, and the spin states take at most a quarter of device memory.</summary>
    int BatchItems(int items)
    {
        long perItem = Math.Max(Program.SpinCount, 1);
        long byIndex = int.MaxValue / perItem - 4;
        long byMemory = Math.Max(1, Math.Min(device.MemorySize, 16L << 30) / 4 / perItem);
        long n = Math.Min(byIndex, byMemory);
        if (n < items && n > 4) n &= ~3L;                     // whole words per batch, so the stride adds no padding
        n = Math.Min(items, n);
        if (MaxBatchItems > 0) n = Math.Min(n, MaxBatchItems);
        return (int)Math.Max(1, n);
    }

    /// <inheritdoc/>
    public override void Run(SamplingRequest request, params Observer[] observers)
    {
        Validate(request);
        var (start, end) = request.Shard.Range(request.Items);
        var context = new SamplingContext(Program, request, 1, start, end);
        foreach (var o in observers) o.Begin(context);
        var signs = new List<(SignAverageObserver Observer, int[] Spins)>();
        var host = new List<Observer>();
        foreach (var o in observers)
        {
            if (o is SignAverageObserver sa)
            {
                var selection = new LayerSelection(Program, sa.Layers.ToArray());
                var global = new int[selection.Size];
                for (int k = 0; k < global.Length; k++) global[k] = selection.GlobalIndex(Program, k);
                signs.Add((sa, global));
            }
            else host.Add(o);
        }
        if (end > start)
        {
            int batch = BatchItems(end - start);
            var observed = signs.Select(s => Upload(s.Spins.Length == 0 ? [0] : s.Spins)).ToArray();
            try
            {
                for (int b0 = start; b0 < end; b0 += batch)
                    RunBatch(request, b0, Math.Min(batch, end - b0), signs, observed, host);
            }
            finally
            {
                foreach (var buffer in observed) buffer.Dispose();
            }
        }
        foreach (var o in observers) o.End();
    }

    void RunBatch(SamplingRequest request, int first, int n, List<(SignAverageObserver Observer, int[] Spins)> signs,
        MemoryBuffer1D<int, Stride1D.Dense>[] observed, List<Observer> host)
    {
        int chains = request.Chains, width = request.Inputs.Width;
        int slot0 = first / chains, slot1 = (first + n - 1) / chains;
        int stride = (n + 3) & ~3;
        var a = new DeviceLaunch
        {
            Items = n, FirstItem = first, Chains = chains, FirstSlot = slot0, FirstInput = request.Inputs.FirstIndex,
            InputWidth = width, Seed = request.Seed, Stride = stride, TileK = Math.Clamp(TileK, 1, DeviceKernels.MaxTileK),
        };
        // Blocks: 8 chains per thread, up to 32 threads along chains (fewer for small batches), the rest along rows.
        a.Lanes = Math.Min(DeviceKernels.MaxLanes, Math.Min(maxThreads, (n + DeviceKernels.ThreadChains - 1) / DeviceKernels.ThreadChains));
        var plan = PlanFor(Math.Max(1, Math.Min(DeviceKernels.TileRows / 8, maxThreads / a.Lanes)));
        int chainTiles = (n + DeviceKernels.ThreadChains * a.Lanes - 1) / (DeviceKernels.ThreadChains * a.Lanes);
        long stateLength = (long)Program.SpinCount * n, stateWords = (long)Program.SpinCount * stride / 4;
        if (state is null || state.Length < stateWords) { state?.Dispose(); state = accelerator.Allocate1D<int>(Math.Max(stateWords, 1)); }
        var rows = new sbyte[Math.Max((slot1 - slot0 + 1) * width, 1)];
        for (int s = slot0; s <= slot1; s++) request.Inputs.Row(s).CopyTo(rows.AsSpan((s - slot0) * width, width));
        if (inputs is null || inputs.Length < rows.Length) { inputs?.Dispose(); inputs = accelerator.Allocate1D<sbyte>(rows.Length); }
        inputs.View.SubView(0, rows.Length).CopyFromCPU(rows);
        var wordView = state.View.SubView(0, Math.Max(stateWords, 1)).AsContiguous();
        var stateView = wordView.Cast<sbyte>();
        if (stateLength > 0) initialize((int)stateLength, a, stateView, role.View, inputs.View);

        var sums = new MemoryBuffer1D<int, Stride1D.Dense>[signs.Count];
        for (int o = 0; o < signs.Count; o++)
        {
            sums[o] = accelerator.Allocate1D<int>(Math.Max((long)signs[o].Spins.Length * n, 1));
            sums[o].MemSetToZero();
        }
        try
        {
            var schedule = request.Schedule;
            int samples = 0;
            bool anyEvery = host.Any(o => o.EverySweep);
            sbyte[]? copy = null;
            for (int t = 0; t < schedule.TotalSweeps; t++)
            {
                a.Sweep = t;
                a.Beta = Program.Beta * schedule.BetaFactor(t);
                foreach (var (_, threadRows, firstTile, count) in plan.Host.Launches)
                {
                    a.ThreadRows = threadRows;
                    a.FirstTile = firstTile;
                    sweep(new KernelConfig(new Index2D(count, chainTiles), new Index2D(a.Lanes, threadRows)), a, wordView, stateView,
                        plan.Tiles.View, plan.Rows.View, plan.Neighbors.View, plan.Weights.View, field.View);
                }
                int sample = schedule.SampleAt(t);
                if (sample >= 0)
                {
                    samples++;
                    for (int o = 0; o < signs.Count; o++)
                        if (signs[o].Spins.Length > 0) accumulate(signs[o].Spins.Length * n, a, stateView, observed[o].View, sums[o].View);
                }
                if (host.Count > 0 && (sample >= 0 || anyEvery))
                {
                    copy ??= new sbyte[(long)Program.SpinCount * stride];
                    stateView.SubView(0, copy.Length).CopyToCPU(copy);
                    var chain = new DeviceChainState(Program, copy, stride);
                    for (int c = 0; c < n; c++)
                    {
                        int item = first + c, slot = item / chains;
                        chain.Column = c;
                        var view = new ChainView(chain, slot, request.Inputs.FirstIndex + slot, item - slot * chains, t, sample, a.Beta);
                        foreach (var o in host)
                            if (sample >= 0 || o.EverySweep) o.Observe(0, view);
                    }
                }
            }
            for (int o = 0; o < signs.Count; o++)
            {
                int size = signs[o].Spins.Length;
                var back = new int[size * n];
                if (size > 0) sums[o].View.SubView(0, back.Length).CopyToCPU(back);
                for (int c = 0; c < n; c++)
                {
                    var dst = signs[o].Observer.ItemSums(first + c);
                    for (int k = 0; k < size; k++) dst[k] += back[k * n + c];
                    signs[o].Observer.AddSamples(first + c, samples);
                }
            }
            accelerator.Synchronize();
        }
        finally
        {
            foreach (var s in sums) s.Dispose();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        state?.Dispose(); inputs?.Dispose();
        foreach (var plan in plans.Values) plan.Dispose();
        field.Dispose(); role.Dispose();
    }
}
