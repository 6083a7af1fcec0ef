namespace Thermo.Training;

/// <summary>Training produced a non-finite loss or weight; the last good checkpoint is left intact.</summary>
public sealed class TrainingDivergedException(string message) : InvalidOperationException(message);
