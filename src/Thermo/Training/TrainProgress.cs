namespace Thermo.Training;

/// <summary>A progress report: where training is and its recent figures.</summary>
public sealed record TrainProgress(int Epoch, int Epochs, int Batch, int BatchesPerEpoch, long Step, double Loss,
    double LearningRate, double ImagesPerSecond, IReadOnlyDictionary<string, double> Metrics, double? ValidationAccuracy = null);
