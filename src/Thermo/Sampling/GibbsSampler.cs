using Thermo.Kernels;
using Thermo.Ising;
using Thermo.Tensors;

namespace Thermo.Sampling;

/// <summary>
/// Block Gibbs sampling of an <see cref="IsingProgram"/>: every (input, chain) of a request is an independent
/// Markov chain; a sweep updates the colours of <see cref="IsingProgram.Colouring"/> in order with
/// <see cref="GibbsRule"/>. Chains are spread over <see cref="ParallelRange.Threads"/> workers in contiguous
/// input-major blocks; since every random number is keyed by (seed, input, chain, sweep, spin) the chains —
/// and the observers' integer reductions — are identical for any thread count or shard.
/// Subclasses differ only in how they represent the state and compute fields.
/// </summary>
public abstract class GibbsSampler
{
    /// <summary>The program being sampled.</summary>
    public IsingProgram Program { get; }

    /// <summary>Prepares the sampler for <paramref name="program"/>.</summary>
    protected GibbsSampler(IsingProgram program)
    {
        Program = program ?? throw new ArgumentNullException(nameof(program));
    }

    /// <summary>
    /// A sampler for <paramref name="program"/>. <see cref="SamplerKind.Fastest"/> picks the fastest that supports
    /// it; asking for a layered kind on a program that is not layered throws <see cref="NotSupportedException"/>.
    /// </summary>
    public static GibbsSampler Create(IsingProgram program, SamplerKind kind = SamplerKind.Fastest) => kind switch
    {
        SamplerKind.Reference => new ReferenceGibbsSampler(program),
        SamplerKind.Float32 => new LayeredGibbsSampler(program, FieldUpdate.Full),
        SamplerKind.Table => new LayeredGibbsSampler(program, FieldUpdate.Table),
        SamplerKind.Incremental => new LayeredGibbsSampler(program, FieldUpdate.Incremental),
        _ => LayeredGibbsSampler.Supports(program, out _) ? new LayeredGibbsSampler(program, FieldUpdate.Incremental) : new ReferenceGibbsSampler(program),
    };

    /// <summary>Short name of the representation (used in benchmark and run reports).</summary>
    public abstract string Representation { get; }

    /// <summary>A fresh per-worker chain state.</summary>
    protected abstract ChainRunner CreateRunner();

    /// <summary>Runs the request, feeding <paramref name="observers"/>.</summary>
    public virtual void Run(SamplingRequest request, params Observer[] observers)
    {
        Validate(request);
        var (start, end) = request.Shard.Range(request.Items);
        int workers = Math.Max(1, Math.Min(ParallelRange.Threads, end - start));
        var context = new SamplingContext(Program, request, workers, start, end);
        foreach (var o in observers) o.Begin(context);
        ParallelRange.For(workers, 1, (w0, w1) =>
        {
            for (int w = w0; w < w1; w++)
            {
                var (a, b) = context.WorkerItems(w);
                RunItems(request, observers, w, a, b);
            }
        });
        foreach (var o in observers) o.End();
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="request"/> fits the program.</summary>
    protected void Validate(SamplingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Chains < 1) throw new ArgumentException($"chains must be ≥ 1, got {request.Chains}");
        if (request.Inputs.Width != Program.InputSpinCount)
            throw new ArgumentException($"inputs have {request.Inputs.Width} spins per row, the program's input layers have {Program.InputSpinCount}");
    }

    void RunItems(SamplingRequest request, Observer[] observers, int worker, int start, int end)
    {
        if (start >= end) return;
        var runner = CreateRunner();
        var schedule = request.Schedule;
        int sweeps = schedule.TotalSweeps;
        bool anyEvery = false;
        foreach (var o in observers) anyEvery |= o.EverySweep;
        for (int item = start; item < end; item++)
        {
            int slot = item / request.Chains, chain = item % request.Chains;
            long input = request.Inputs.FirstIndex + slot;
            runner.Reset(input, chain, request.Inputs.Row(slot), request.Seed);
            for (int t = 0; t < sweeps; t++)
            {
                float beta = Program.Beta * schedule.BetaFactor(t);
                runner.Sweep(t, beta);
                int sample = schedule.SampleAt(t);
                if (sample < 0 && !anyEvery) continue;
                var view = new ChainView(runner, slot, input, chain, t, sample, beta);
                foreach (var o in observers)
                    if (sample >= 0 || o.EverySweep) o.Observe(worker, view);
            }
        }
    }
}
