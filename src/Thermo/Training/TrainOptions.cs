using Thermo.Optim;

namespace Thermo.Training;

/// <summary>Optimiser family.</summary>
public enum OptimizerKind
{
    /// <summary>AdamW (decoupled weight decay).</summary>
    AdamW,
    /// <summary>SGD with Nesterov momentum.</summary>
    Sgd,
}

/// <summary>Everything that controls a training run (recorded in its checkpoints).</summary>
public sealed record TrainOptions
{
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Optimiser.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;
    /// <summary>Peak learning rate.</summary>
    public float LearningRate { get; init; } = 2e-3f;
    /// <summary>Weight decay (decoupled for AdamW, L2 for SGD).</summary>
    public float WeightDecay { get; init; } = 5e-4f;
    /// <summary>SGD momentum.</summary>
    public float Momentum { get; init; } = 0.9f;
    /// <summary>Learning-rate curve after warm-up.</summary>
    public LrShape Schedule { get; init; } = LrShape.OneCycle;
    /// <summary>Warm-up length in epochs (fractional allowed).</summary>
    public float WarmupEpochs { get; init; } = 0.5f;
    /// <summary>
    /// Decay of an exponential moving average of the weights and batch-norm statistics (<see cref="Optimizer.KeepEma"/>; 0: none). Each epoch's
    /// validation measures the averaged weights, and the finished run's model is the average.
    /// </summary>
    public float EmaDecay { get; init; }
    /// <summary>Label smoothing ε for cross-entropy.</summary>
    public float LabelSmoothing { get; init; }
    /// <summary>Master seed: initialisation, data order, augmentation and noise derive from it.</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>Checkpoint file (written atomically); null disables checkpoints.</summary>
    public string? CheckpointPath { get; init; }
    /// <summary>Also checkpoint every this many optimiser steps (0: only at epoch ends).</summary>
    public int CheckpointEverySteps { get; init; }
    /// <summary>
    /// Measure test accuracy (the trainer's <c>Validate</c>) after every this many epochs and after the last one (1: every
    /// epoch). It changes no weights, so a resumed run may use another value.
    /// </summary>
    public int TestEvery { get; init; } = 1;
    /// <summary>Stop after this many optimiser steps in this process (testing crash/resume); 0 = no limit.</summary>
    public long MaxStepsThisRun { get; init; }
}
