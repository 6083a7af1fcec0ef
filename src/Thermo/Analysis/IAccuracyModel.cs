using Thermo.Blocks;

namespace Thermo.Analysis;

/// <summary>Predicts the accuracy of an Ising-block network under a sampling schedule.</summary>
public interface IAccuracyModel
{
    /// <summary>Number of blocks the schedules must have.</summary>
    int Blocks { get; }

    /// <summary>Predicted accuracy (fraction in [0, 1]) under <paramref name="schedule"/>.</summary>
    double PredictAccuracy(BlockSchedule schedule);
}
