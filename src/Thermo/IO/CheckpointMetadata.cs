namespace Thermo.IO;

/// <summary>
/// The JSON document a checkpoint keeps in its safetensors "__metadata__": the model definition (opaque JSON
/// from the trainer), the training state and the provenance. See docs/formats.md for the schema.
/// </summary>
public sealed record CheckpointMetadata
{
    /// <summary>The architecture spec as a JSON text, written by the trainer and read back verbatim; null if none.</summary>
    public string? ModelDefinition { get; init; }
    /// <summary>Training position and best metric.</summary>
    public TrainingState Training { get; init; } = new();
    /// <summary>Where the checkpoint came from.</summary>
    public Provenance Provenance { get; init; } = new();
}
