namespace Thermo.Sampling;

/// <summary>
/// Records something about chains while they run, without changing them. A sampler calls
/// <see cref="Begin"/>, then <see cref="Observe"/> after every sample sweep (every sweep when
/// <see cref="EverySweep"/>) of every chain, then <see cref="End"/>. Observe runs concurrently on
/// <see cref="SamplingContext.Workers"/> workers; calls with the same worker number never overlap, and the
/// sweeps of one chain arrive in order on one worker. Observers reduce with exact (integer) arithmetic so
/// results do not depend on the number of workers or on sharding.
/// </summary>
public abstract class Observer
{
    /// <summary>Whether to observe every sweep (burn-in included) instead of only the samples.</summary>
    public virtual bool EverySweep => false;

    /// <summary>Prepares for a run.</summary>
    public abstract void Begin(SamplingContext context);

    /// <summary>Observes one chain after one sweep.</summary>
    public abstract void Observe(int worker, in ChainView view);

    /// <summary>Finishes the run (reduces per-worker partial results).</summary>
    public virtual void End() { }
}
