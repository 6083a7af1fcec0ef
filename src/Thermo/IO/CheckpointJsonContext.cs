using System.Text.Json.Serialization;

namespace Thermo.IO;

/// <summary>Source-generated JSON contracts of checkpoint metadata (snake_case, nulls omitted).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(TrainingState))]
[JsonSerializable(typeof(Provenance))]
internal sealed partial class CheckpointJsonContext : JsonSerializerContext;
