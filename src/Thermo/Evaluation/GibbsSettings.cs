using Thermo.Blocks;

namespace Thermo.Evaluation;

/// <summary>Settings of a Gibbs evaluation: the per-block schedule, chains per input, and the sampling seed.</summary>
public sealed record GibbsSettings(BlockSchedule Schedule, int Chains = 1, ulong Seed = 1);
