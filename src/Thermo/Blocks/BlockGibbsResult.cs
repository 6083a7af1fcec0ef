namespace Thermo.Blocks;

/// <summary>Result of running an Ising-block network by Gibbs sampling on a set of inputs (<see cref="BlockPipeline.Evaluate"/>).</summary>
/// <param name="Scores">Class scores [N, classes]: population means of the last block's time averages.</param>
/// <param name="BlockOutputs">Per block, the readout (time average over samples and chains) of every input, row-major [N × spins].</param>
/// <param name="SpinUpdates">Spin updates spent per block (free spins × sweeps × chains × inputs).</param>
public sealed record BlockGibbsResult(float[] Scores, float[][] BlockOutputs, long[] SpinUpdates);
