using Thermo.Tensors;

namespace Thermo.IO;

/// <summary>Everything a checkpoint holds: model tensors, optimiser state tensors and metadata.</summary>
public sealed class CheckpointData
{
    /// <summary>The file it was read from.</summary>
    public required string Path { get; init; }
    /// <summary>Model parameters and buffers by dotted name ("features.0.weight").</summary>
    public required Dictionary<string, Tensor> Model { get; init; }
    /// <summary>Optimiser state by the optimiser's own names ("features.0.weight.exp_avg", "step"); empty if none was saved.</summary>
    public required Dictionary<string, Tensor> Optimizer { get; init; }
    /// <summary>Model definition, training state and provenance.</summary>
    public required CheckpointMetadata Metadata { get; init; }
    /// <summary>Format version of the file.</summary>
    public required int FormatVersion { get; init; }
}
