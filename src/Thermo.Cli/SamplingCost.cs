namespace Thermo.Cli;

/// <summary>
/// The work of a sampling command estimated before it starts: sweeps per chain, and spin updates (Σ over blocks of
/// free spins × sweeps, times chains and inputs). Above <see cref="MaxSpinUpdates"/> (hours of work) or
/// <see cref="MaxSweeps"/> sweeps per chain the command refuses unless --force is given, naming the options that set
/// the cost; above <see cref="AnnounceAbove"/> spin updates it says on stderr what it is about to do.
/// </summary>
public static class SamplingCost
{
    /// <summary>Most spin updates a command runs without --force (a full MNIST Gibbs evaluation at G = 64 is about 10¹⁰).</summary>
    public const double MaxSpinUpdates = 1e12;

    /// <summary>
    /// Most sweeps per chain without --force: a chain is burnt in and sampled in 10²–10⁴ sweeps; 10⁷ runs for minutes
    /// even on a handful of spins and averages nothing more.
    /// </summary>
    public const long MaxSweeps = 10_000_000;

    /// <summary>Estimates above this are printed before the work starts.</summary>
    public const double AnnounceAbove = 1e9;

    /// <summary>What --force also allows, for option descriptions.</summary>
    public static string ForceDescription => $"replace an existing --out; also run settings above {MaxSweeps:G1} sweeps per chain or {MaxSpinUpdates:G1} spin updates";

    /// <summary>
    /// Refuses work above the bounds without <paramref name="force"/>; <paramref name="settings"/> lists the options
    /// behind the figures ("--samples 1000000000, --burn-in 4 and --chains 1 on 12 examples").
    /// </summary>
    public static void Check(double spinUpdates, double sweepsPerChain, string settings, bool force)
    {
        if (!force && sweepsPerChain > MaxSweeps)
            throw new ArgumentException($"{settings} run {sweepsPerChain:G3} sweeps per chain, more than the {MaxSweeps:G1} run without --force; lower them, or pass --force to run anyway");
        if (!force && spinUpdates > MaxSpinUpdates)
            throw new ArgumentException($"{settings} need about {spinUpdates:G3} spin updates, more than the {MaxSpinUpdates:G1} run without --force; lower them, or pass --force to run anyway");
        if (spinUpdates > AnnounceAbove)
            Console.Error.WriteLine($"estimated work: {spinUpdates:G3} spin updates ({settings})");
    }
}
