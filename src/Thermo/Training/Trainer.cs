using System.Diagnostics;
using System.Text.Json.Nodes;
using Thermo.Autograd;
using Thermo.IO;
using Thermo.Nn;
using Thermo.Optim;
using Thermo.Tensors;

namespace Thermo.Training;

/// <summary>
/// Mini-batch training with checkpoints that allow an exact resume: minimises the model's
/// <see cref="ITrainingObjective"/> loss (or softmax cross-entropy) with AdamW or SGD under a
/// learning-rate schedule. Each step runs inside a <see cref="TensorScope"/>, so the steady state does not
/// allocate large buffers. A non-finite loss or weight stops training with
/// <see cref="TrainingDivergedException"/> and leaves the last checkpoint intact.
/// </summary>
public sealed class Trainer
{
    readonly Module model;
    readonly string modelDefinition;
    readonly TrainOptions options;
    readonly IBatchSource train;
    readonly Optimizer optimizer;
    readonly LrSchedule schedule;
    readonly IReadOnlyDictionary<string, string> dataChecksums;

    /// <summary>Called after every step (cheap) and after each epoch's validation.</summary>
    public Action<TrainProgress>? Progress { get; set; }

    /// <summary>Evaluates validation accuracy at the end of each epoch when set.</summary>
    public Func<Module, double>? Validate { get; set; }

    /// <summary>
    /// Settings that shape the run beyond <see cref="TrainOptions"/> and the model definition (batch size, data
    /// augmentation, number of training examples, …), named as the user sets them. They are stored in every
    /// checkpoint, and <see cref="Resume"/> refuses a checkpoint whose settings differ.
    /// </summary>
    public JsonObject RunSettings { get; init; } = new();

    /// <summary>State reached so far (position and best metric).</summary>
    public TrainingState State { get; private set; }

    /// <summary>
    /// When cancelled, <see cref="Run"/> finishes the step in progress, writes a checkpoint and returns with
    /// <see cref="Stopped"/> set (preemption: Slurm's SIGTERM). Unlike the cancellation token of <see cref="Run"/>,
    /// which abandons the step, this leaves a checkpoint from which the run continues bit for bit.
    /// </summary>
    public CancellationToken StopRequest { get; init; }

    /// <summary>True when the last <see cref="Run"/> returned early because of <see cref="StopRequest"/> (on any rank).</summary>
    public bool Stopped { get; private set; }

    /// <summary>
    /// Data parallelism: when set, each process trains on its slice of every global batch and the gradients are
    /// combined in rank order before each optimiser step, so all processes take identical steps.
    /// </summary>
    public Distributed.DataParallel? DataParallel { get; init; }

    /// <summary>
    /// Runs the steps on another engine (e.g. <see cref="DeviceTrainingEngine"/> on a GPU) instead of the CPU engine (autograd
    /// on the host, the default when null). <see cref="Run"/> creates it from the model and the optimiser (after
    /// <see cref="Resume"/>) and copies its state back before every checkpoint, validation and weight check, and at the end.
    /// </summary>
    public Func<Module, Optimizer, ITrainingEngine>? Engine { get; init; }

    ITrainingEngine? engine;

    /// <summary>Prepares a run; call <see cref="Run"/>. The model must already be initialised.</summary>
    public Trainer(Module model, string modelDefinition, TrainOptions options, IBatchSource train,
        IReadOnlyDictionary<string, string>? dataChecksums = null)
    {
        if (options.Epochs <= 0) throw new ArgumentException($"epochs must be positive, got {options.Epochs}");
        if (train.BatchesPerEpoch <= 0) throw new ArgumentException("the training set yields no batches (fewer examples than one batch?)");
        this.model = model;
        this.modelDefinition = modelDefinition;
        this.options = options;
        this.train = train;
        this.dataChecksums = dataChecksums ?? new Dictionary<string, string>();
        var named = model.NamedParameters().ToList();
        optimizer = options.Optimizer switch
        {
            OptimizerKind.Sgd => new Sgd(named, options.LearningRate, options.Momentum, nesterov: true, options.WeightDecay),
            _ => new AdamW(named, options.LearningRate, weightDecay: options.WeightDecay),
        };
        if (options.EmaDecay != 0) optimizer.KeepEma(options.EmaDecay, model.NamedStatistics());
        long total = (long)options.Epochs * train.BatchesPerEpoch;
        schedule = new LrSchedule(options.LearningRate, total, (long)(options.WarmupEpochs * train.BatchesPerEpoch), options.Schedule, 0.01f);
        State = new TrainingState { Seed = options.Seed };
    }

    /// <summary>The optimiser (its state is saved in checkpoints).</summary>
    public Optimizer Optimizer => optimizer;

    /// <summary>Restores model, optimiser and position from a checkpoint written by this trainer.</summary>
    public void Resume(string checkpointPath)
    {
        var stored = Checkpoint.ReadMetadata(checkpointPath);
        if (stored.Training.Seed != options.Seed)
            throw new InvalidDataException($"checkpoint '{checkpointPath}' was trained with seed {stored.Training.Seed}, this run uses {options.Seed}: resume with the same seed");
        var differences = SettingsDifferences(stored);
        if (differences.Count > 0)
            throw new InvalidDataException($"checkpoint '{checkpointPath}' was trained with other settings, so resuming would not continue the same run: "
                + string.Join("; ", differences) + ". Resume with the checkpoint's settings, or start a new run");
        var meta = Checkpoint.Restore(checkpointPath, model, optimizer);
        State = meta.Training;
        if (State.Extra?["dropout_calls"] is JsonArray calls)
        {
            var dropouts = Dropouts().ToList();
            for (int i = 0; i < dropouts.Count && i < calls.Count; i++) dropouts[i].Calls = calls[i]!.GetValue<ulong>();
        }
    }

    /// <summary>Every setting in which this run differs from the one that wrote <paramref name="stored"/>, one phrase each.</summary>
    List<string> SettingsDifferences(CheckpointMetadata stored)
    {
        var list = new List<string>();
        if (stored.ModelDefinition is not null && stored.ModelDefinition != modelDefinition)
            list.Add("the model definition differs (another preset, --model file or normalisation)");
        var before = stored.Provenance.DatasetChecksums;
        if (before.Count > 0 && (before.Count != dataChecksums.Count || before.Any(kv => !dataChecksums.TryGetValue(kv.Key, out var now) || now != kv.Value)))
            list.Add($"the data differ (checkpoint: {string.Join(", ", before.Keys.Order(StringComparer.Ordinal))}; now: {string.Join(", ", dataChecksums.Keys.Order(StringComparer.Ordinal))}, or the same files with other contents)");
        // Checkpoints written before the settings were recorded carry none; only the checks above apply to them.
        if (stored.Training.Extra?["run_settings"] is JsonObject then)
        {
            var current = Settings();
            // Settings recorded only when used (--ema) may be on either side alone.
            foreach (string name in current.Select(kv => kv.Key).Union(then.Select(kv => kv.Key)))
            {
                string was = then[name]?.ToFiniteJson() ?? "not set", now = current[name]?.ToFiniteJson() ?? "not set";
                if (was != now) list.Add($"{name} was {was}, now {now}");
            }
        }
        return list;
    }

    /// <summary>The run's settings as stored in checkpoints: the training options that shape the run, then <see cref="RunSettings"/>.</summary>
    JsonObject Settings()
    {
        var o = new JsonObject
        {
            ["--epochs"] = options.Epochs, ["--lr"] = options.LearningRate, ["optimizer"] = options.Optimizer.ToString(),
            ["weight decay"] = options.WeightDecay, ["momentum"] = options.Momentum, ["learning-rate schedule"] = options.Schedule.ToString(),
            ["warm-up epochs"] = options.WarmupEpochs, ["label smoothing"] = options.LabelSmoothing, ["batches per epoch"] = train.BatchesPerEpoch,
        };
        // Only when set, so that checkpoints of runs from before the option resume unchanged.
        if (options.EmaDecay != 0) o["--ema"] = options.EmaDecay;
        foreach (var (name, value) in RunSettings) o[name] = value?.DeepClone();
        return o;
    }

    IEnumerable<Dropout> Dropouts() => Walk(model).OfType<Dropout>();

    static IEnumerable<Module> Walk(Module m)
    {
        yield return m;
        foreach (var (_, c) in m.Children)
            foreach (var d in Walk(c)) yield return d;
    }

    /// <summary>Trains to the configured number of epochs (or <see cref="TrainOptions.MaxStepsThisRun"/>).</summary>
    public TrainingState Run(CancellationToken cancel = default)
    {
        if (Engine is null) return RunSteps(cancel);
        if (DataParallel is not null) throw new ArgumentException("data parallelism (--distributed) runs on the CPU engine only");
        if (options.EmaDecay != 0) throw new ArgumentException("the weight average (--ema) is kept on the CPU engine only: train with --device cpu, or without --ema");
        engine = Engine(model, optimizer);
        try
        {
            var reached = RunSteps(cancel);
            engine.Pull();
            return reached;
        }
        finally
        {
            engine.Dispose();
            engine = null;
        }
    }

    TrainingState RunSteps(CancellationToken cancel)
    {
        Stopped = false;
        var objective = model as ITrainingObjective;
        var metrics = new Dictionary<string, double>();
        long stepsThisRun = 0;
        var clock = Stopwatch.StartNew();
        long imagesSinceClock = 0;
        double emaLoss = double.NaN;
        for (int epoch = State.Epoch; epoch < options.Epochs; epoch++)
        {
            model.Train();
            int batchIndex = epoch == State.Epoch ? State.BatchInEpoch : 0;
            foreach (var batch in train.Batches(epoch, batchIndex, cancel))
            {
                cancel.ThrowIfCancellationRequested();
                long step = State.Step;
                float lr = schedule.At(step);
                optimizer.LearningRate = lr;
                double lossValue;
                bool stop;
                if (engine is not null)
                {
                    metrics.Clear();
                    lossValue = engine.ComputeGradients(batch.Images, batch.Labels, step, metrics);
                    stop = StopRequest.IsCancellationRequested;
                    if (!double.IsFinite(lossValue)) throw Diverged($"loss became {lossValue} at step {step} (epoch {epoch}, batch {batchIndex})");
                    engine.Step();
                }
                else using (new TensorScope())
                {
                    metrics.Clear();
                    var (images, labels) = DataParallel is { } dp ? dp.Slice(batch.Images, batch.Labels) : (batch.Images, batch.Labels);
                    var loss = objective is not null
                        ? objective.Loss(images, labels, step, metrics)
                        : F.CrossEntropy(model.Forward(images), labels, options.LabelSmoothing);
                    lossValue = loss.Item();
                    stop = StopRequest.IsCancellationRequested;
                    optimizer.ZeroGrad();
                    // A non-finite loss is checked after the reduction, so that every rank sees the same loss and
                    // stops together instead of leaving the others waiting in the collective.
                    if (double.IsFinite(lossValue) || DataParallel is not null) loss.Backward();
                    if (DataParallel is not null) (lossValue, stop) = DataParallel.CombineGradients(model, lossValue, labels.Length, batch.Labels.Length, stop);
                    if (!double.IsFinite(lossValue)) throw Diverged($"loss became {lossValue} at step {step} (epoch {epoch}, batch {batchIndex})");
                    optimizer.Step();
                }
                batchIndex++;
                State = State with { Step = step + 1, ScheduleStep = step + 1, Epoch = epoch, BatchInEpoch = batchIndex, LearningRate = lr };
                if ((step + 1) % 50 == 0 && !WeightsFinite(out string? bad)) throw Diverged($"weight '{bad}' became non-finite at step {step}");
                emaLoss = double.IsNaN(emaLoss) ? lossValue : 0.95 * emaLoss + 0.05 * lossValue;
                imagesSinceClock += batch.Labels.Length;
                double ips = imagesSinceClock / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
                Progress?.Invoke(new TrainProgress(epoch, options.Epochs, batchIndex, train.BatchesPerEpoch, State.Step, emaLoss, lr, ips, metrics));
                stepsThisRun++;
                if (options.CheckpointEverySteps > 0 && State.Step % options.CheckpointEverySteps == 0) SaveCheckpoint();
                if (stop)
                {
                    Stopped = true;
                    SaveCheckpoint();
                    return State;
                }
                if (options.MaxStepsThisRun > 0 && stepsThisRun >= options.MaxStepsThisRun)
                {
                    SaveCheckpoint();
                    return State;
                }
            }
            State = State with { Epoch = epoch + 1, BatchInEpoch = 0 };
            bool averaged = options.EmaDecay != 0, last = epoch + 1 == options.Epochs;
            bool test = Validate is not null && (last || (epoch + 1) % Math.Max(1, options.TestEvery) == 0);
            // Validation measures the averaged weights; after the last epoch they become the model (and its checkpoint).
            if (averaged) { if (last) optimizer.ApplyEma(); else if (test) optimizer.SwapEma(); }
            double? val = null;
            if (test)
            {
                engine?.Pull();
                model.Eval();
                val = Validate!(model);
                if (State.BestMetric is null || val > State.BestMetric)
                    State = State with { BestMetric = val, BestMetricName = "val_accuracy", BestEpoch = epoch };
            }
            if (averaged && !last && test) optimizer.SwapEma();
            SaveCheckpoint();
            Progress?.Invoke(new TrainProgress(epoch, options.Epochs, train.BatchesPerEpoch, train.BatchesPerEpoch, State.Step, emaLoss,
                optimizer.LearningRate, imagesSinceClock / Math.Max(1e-9, clock.Elapsed.TotalSeconds), metrics, val));
        }
        model.Eval();
        return State;
    }

    TrainingDivergedException Diverged(string what)
    {
        string last = options.CheckpointPath is { } p && File.Exists(p)
            ? $"the last good checkpoint '{p}' (step {Checkpoint.ReadMetadata(p).Training.Step}) is intact; train again with a lower learning rate (--resume continues with the checkpoint's settings)"
            : "no checkpoint was written yet";
        return new TrainingDivergedException($"training diverged: {what}; {last}");
    }

    bool WeightsFinite(out string? bad)
    {
        engine?.Pull();
        foreach (var (name, t) in model.NamedParameters())
            if (!t.AllFinite()) { bad = name; return false; }
        bad = null;
        return true;
    }

    /// <summary>Writes the checkpoint now (atomically); a no-op without a checkpoint path.</summary>
    public void SaveCheckpoint()
    {
        if (options.CheckpointPath is null) return;
        if (!WeightsFinite(out string? bad)) throw Diverged($"weight '{bad}' is non-finite at step {State.Step}");
        var extra = new JsonObject
        {
            ["dropout_calls"] = new JsonArray(Dropouts().Select(d => (JsonNode)d.Calls).ToArray()),
            ["run_settings"] = Settings(),
        };
        var meta = new CheckpointMetadata
        {
            ModelDefinition = modelDefinition,
            Training = State with { Extra = extra },
            Provenance = Provenance.Capture(dataChecksums),
        };
        string? dir = Path.GetDirectoryName(Path.GetFullPath(options.CheckpointPath));
        if (dir is not null) Directory.CreateDirectory(dir);
        Checkpoint.Save(options.CheckpointPath, model, optimizer.StateDict(), meta);
    }
}
