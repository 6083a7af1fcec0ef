using Thermo.Data;
using Thermo.Ising;

namespace Thermo.Blocks;

/// <summary>
/// What a machine needs to run a trained <see cref="IsingBlockNet"/> and nothing more: one <see cref="IsingProgram"/>
/// per block, the input code (pixel v of channel c → spin +1 when v &gt; t_k, one spin per threshold t_k), and the
/// readout (classes × population output spins of the last block; a class's score is its population's mean time
/// average). Evaluated by <see cref="BlockPipeline"/>; stored by <see cref="CompiledBlockNetFile"/>.
/// </summary>
/// <param name="Name">Model name.</param>
/// <param name="Dataset">Dataset the network was trained on (catalogue name), or null.</param>
/// <param name="InputShape">Image shape [C, H, W].</param>
/// <param name="Thresholds">Input thresholds t_k on pixel values in [0, 1].</param>
/// <param name="Normalization">Pixel normalisation applied before the thresholds (unit range for block networks).</param>
/// <param name="Classes">Number of classes.</param>
/// <param name="Population">Output spins per class.</param>
/// <param name="Programs">One program per block, in order.</param>
/// <param name="Source">SHA-256 of the checkpoint it was compiled from, or null.</param>
public sealed record CompiledBlockNet(string Name, string? Dataset, int[] InputShape, float[] Thresholds, Normalization Normalization,
    int Classes, int Population, IReadOnlyList<IsingProgram> Programs, string? Source)
{
    /// <summary>Compiles a trained network (see <see cref="BlockCompiler"/>).</summary>
    public static CompiledBlockNet From(IsingBlockNet net, string name, string? dataset, int[] inputShape, Normalization normalization, string? source) =>
        new(name, dataset, inputShape, (float[])net.Thresholds.Clone(), normalization, net.Classes, net.Population, BlockCompiler.Compile(net), source);

    /// <summary>
    /// Multiply–accumulates of the equivalent digital forward pass, Σ over every block's couplings (the same count as
    /// <see cref="IsingBlockNet.CouplingMacsPerSample"/> of the network it was compiled from).
    /// </summary>
    public long CouplingMacsPerSample => Programs.Sum(p => p.Couplings.Sum(c => c.MacsPerSample(p.Layers)));

    /// <summary>Checks that the programs chain: image code → block 0 inputs, block b outputs → block b+1 inputs, last outputs → classes × population.</summary>
    public void Validate()
    {
        if (InputShape.Length != 3 || InputShape.Any(d => d < 1)) throw new ArgumentException($"input shape must be [C, H, W], got [{string.Join(", ", InputShape)}]");
        if (Thresholds.Length == 0 || Thresholds.Any(t => !float.IsFinite(t))) throw new ArgumentException("at least one finite input threshold is needed");
        if (Classes < 1 || Population < 1) throw new ArgumentException($"classes ({Classes}) and population ({Population}) must be positive");
        if (Programs.Count == 0) throw new ArgumentException("a compiled network needs at least one block program");
        long spins = (long)InputShape[0] * Thresholds.Length * InputShape[1] * InputShape[2];
        for (int b = 0; b < Programs.Count; b++)
        {
            var p = Programs[b];
            if (p.InputSpinCount != spins)
                throw new ArgumentException(b == 0
                    ? $"block 0 has {p.InputSpinCount} input spins, the input code gives {spins} ({InputShape[0]} channels × {Thresholds.Length} thresholds × {InputShape[1]}×{InputShape[2]})"
                    : $"block {b} has {p.InputSpinCount} input spins, block {b - 1} outputs {spins}");
            spins = p.Layers[^1].Size;
        }
        if (spins != (long)Classes * Population)
            throw new ArgumentException($"the last block outputs {spins} spins, expected classes × population = {Classes * Population}");
    }
}
