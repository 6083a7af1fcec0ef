using System.Text.Json.Nodes;

namespace Thermo.IO;

/// <summary>
/// Where training stood when a checkpoint was written: enough to resume exactly (same batches, same random
/// streams, same learning rate) and to know which checkpoint was best.
/// </summary>
public sealed record TrainingState
{
    /// <summary>Epoch the next batch belongs to (0-based).</summary>
    public int Epoch { get; init; }
    /// <summary>Batches of <see cref="Epoch"/> already done; resuming skips them.</summary>
    public int BatchInEpoch { get; init; }
    /// <summary>Optimiser steps done since the start of training.</summary>
    public long Step { get; init; }
    /// <summary>The run's master seed (every Philox stream derives from it).</summary>
    public ulong Seed { get; init; }
    /// <summary>Position in the learning-rate schedule (usually equal to <see cref="Step"/>).</summary>
    public long ScheduleStep { get; init; }
    /// <summary>Learning rate in use when the checkpoint was written.</summary>
    public double LearningRate { get; init; }
    /// <summary>Name of the metric that selects the best checkpoint (e.g. "val_accuracy"), if any.</summary>
    public string? BestMetricName { get; init; }
    /// <summary>Best value of that metric so far.</summary>
    public double? BestMetric { get; init; }
    /// <summary>Epoch at which <see cref="BestMetric"/> was reached.</summary>
    public int? BestEpoch { get; init; }
    /// <summary>Anything else a trainer needs to resume (counters, EMA of the loss, …), as JSON.</summary>
    public JsonObject? Extra { get; init; }
}
