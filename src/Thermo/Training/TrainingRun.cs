using System.Text.Json.Nodes;
using Thermo.Blocks;
using Thermo.Data;
using Thermo.Devices;
using Thermo.IO;
using Thermo.Nn;
using Thermo.Evaluation;

namespace Thermo.Training;

/// <summary>What <see cref="TrainingRun.Execute"/> should do: a preset or a model file, data and overrides.</summary>
public sealed record TrainingRunOptions
{
    /// <summary>Preset name (mutually exclusive with <see cref="ModelPath"/>).</summary>
    public string? Preset { get; init; }
    /// <summary>Model definition file.</summary>
    public string? ModelPath { get; init; }
    /// <summary>Start from this trained model and its definition instead of a fresh initialisation (fine-tuning).</summary>
    public (ModelSpec Spec, Module Model)? Start { get; init; }
    /// <summary>
    /// Start from the weights of this checkpoint (a file, or a run directory holding one) instead of a fresh
    /// initialisation: the model built from the preset or model file must have exactly its tensors. The optimiser,
    /// learning-rate schedule and epoch count start afresh, so the objective or data may differ (fine-tuning).
    /// </summary>
    public string? InitFrom { get; init; }
    /// <summary>Training options to use when neither a preset nor <see cref="Start"/>'s run supplies them.</summary>
    public TrainOptions? Options { get; init; }
    /// <summary>Dataset name or path (default: the preset's).</summary>
    public string? Dataset { get; init; }
    /// <summary>Data cache directory (default ~/.cache/thermo or $THERMO_DATA_DIR).</summary>
    public string? DataDirectory { get; init; }
    /// <summary>Overrides.</summary>
    public int? Epochs { get; init; }
    /// <inheritdoc cref="Epochs"/>
    public int? BatchSize { get; init; }
    /// <inheritdoc cref="Epochs"/>
    public float? LearningRate { get; init; }
    /// <inheritdoc cref="Epochs"/>
    public float? WeightDecay { get; init; }
    /// <summary>Decay of the weights' exponential moving average (<see cref="TrainOptions.EmaDecay"/>; null: the preset's, else none).</summary>
    public float? EmaDecay { get; init; }
    /// <summary>Master seed.</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>Run directory: model.safetensors (checkpoint, written atomically) and reports.</summary>
    public required string OutputDirectory { get; init; }
    /// <summary>Continue from the run directory's checkpoint.</summary>
    public bool Resume { get; init; }
    /// <summary>Checkpoint every N steps as well as at epoch ends.</summary>
    public int CheckpointEverySteps { get; init; }
    /// <summary>Stop after this many steps in this process (0 = no limit).</summary>
    public long MaxStepsThisRun { get; init; }
    /// <summary>Use only the first N training / test examples (quick runs and tests).</summary>
    public int? TrainLimit { get; init; }
    /// <inheritdoc cref="TrainLimit"/>
    public int? TestLimit { get; init; }
    /// <summary>Random-crop augmentation: zero-pad by this many pixels, then crop back (null: the preset's, else 0).</summary>
    public int? AugmentPadding { get; init; }
    /// <summary>Random horizontal flips (null: the preset's, else off).</summary>
    public bool? AugmentFlip { get; init; }
    /// <summary>Cutout augmentation: black out a random square of this side (null: the preset's, else 0: none).</summary>
    public int? AugmentCutout { get; init; }
    /// <summary>Evaluate test accuracy at epoch ends (every <see cref="TestEvery"/> epochs and after the last).</summary>
    public bool ValidateEachEpoch { get; init; } = true;
    /// <summary>Epochs between test evaluations (<see cref="TrainOptions.TestEvery"/>; null: 1, every epoch).</summary>
    public int? TestEvery { get; init; }
    /// <summary>When cancelled, training checkpoints after the current step and returns (see <see cref="Trainer.StopRequest"/>).</summary>
    public CancellationToken StopRequest { get; init; }
    /// <summary>
    /// Data parallelism across MPI processes; null trains in this process alone. Only rank 0 writes the run
    /// directory and evaluates; every rank reads the checkpoint when resuming.
    /// </summary>
    public Distributed.DataParallel? DataParallel { get; init; }
    /// <summary>
    /// Where the steps run: the CPU engine (default), or an ILGPU accelerator through <see cref="DeviceTrainingEngine"/>
    /// (ising-blocks models only; <see cref="DeviceKind.Auto"/> is CUDA when present, else the CPU engine).
    /// </summary>
    public DeviceKind Device { get; init; } = DeviceKind.Cpu;
}

/// <summary>Outcome of a training run.</summary>
public sealed record TrainingRunResult(string CheckpointPath, ModelSpec Spec, Module Model, TrainingState State,
    double? TestAccuracy, double Seconds, LabeledImages Test, Normalization Normalization, bool Finished, bool Stopped = false);

/// <summary>Loads data, builds or resumes the model, trains with checkpoints and reports progress.</summary>
public static class TrainingRun
{
    /// <summary>Name of the checkpoint inside a run directory.</summary>
    public const string CheckpointName = "model.safetensors";

    /// <summary>Runs training as configured.</summary>
    public static TrainingRunResult Execute(TrainingRunOptions o, Action<TrainProgress>? progress = null, Action<string>? log = null, CancellationToken cancel = default)
    {
        if ((o.Preset is null ? 0 : 1) + (o.ModelPath is null ? 0 : 1) + (o.Start is null ? 0 : 1) != 1)
            throw new ArgumentException("give exactly one of --preset and --model");
        if (o.InitFrom is not null && o.Start is not null) throw new ArgumentException("--init-from cannot be combined with a model that is already given");
        if (o.WeightDecay is < 0 or float.NaN) throw new ArgumentException($"--weight-decay must be a finite number ≥ 0 (got {o.WeightDecay})");
        if (o.EmaDecay is { } ema && !(ema >= 0 && ema < 1)) throw new ArgumentException($"--ema must be at least 0 and below 1 (got {ema})");
        string? initFrom = o.InitFrom is null ? null : Directory.Exists(o.InitFrom) ? Path.Combine(o.InitFrom, CheckpointName) : o.InitFrom;
        if (initFrom is not null && !File.Exists(initFrom)) throw new FileNotFoundException($"--init-from: no checkpoint at '{initFrom}'");
        if (o.AugmentPadding is < 0) throw new ArgumentException($"--pad-crop must be ≥ 0 (got {o.AugmentPadding})");
        if (o.AugmentCutout is < 0) throw new ArgumentException($"--cutout must be ≥ 0 (got {o.AugmentCutout})");
        var preset = o.Preset is null ? null : Presets.Get(o.Preset);
        var spec = preset?.Spec ?? o.Start?.Spec ?? ModelSpec.Load(o.ModelPath!);
        string dataset = o.Dataset ?? preset?.Dataset ?? throw new ArgumentException("--dataset is required with --model");
        bool onDevice = o.Device is not (DeviceKind.Cpu or DeviceKind.Auto) || o.Device == DeviceKind.Auto && spec.Family == ModelFamily.IsingBlocks;
        if (o.Device is not (DeviceKind.Cpu or DeviceKind.Auto) && spec.Family != ModelFamily.IsingBlocks)
            throw new ArgumentException($"--device {DeviceNames.Name(o.Device)}: device training implements ising-blocks models only, and '{spec.Name}' is a {spec.FamilyName} model; train it with --device cpu");
        if (o.Device is not (DeviceKind.Cpu or DeviceKind.Auto) && o.EmaDecay is > 0)
            throw new ArgumentException($"--device {DeviceNames.Name(o.Device)} and --ema cannot be combined: the weight average is kept on the CPU engine only");
        if (onDevice && o.DataParallel is not null)
            throw new ArgumentException($"--device {DeviceNames.Name(o.Device)} and --distributed mpi cannot be combined: data parallelism runs on the CPU engine only");
        var baseOptions = o.Options ?? preset?.Options ?? new TrainOptions();
        string checkpoint = Path.Combine(o.OutputDirectory, CheckpointName);
        if (o.Resume && !File.Exists(checkpoint)) throw new FileNotFoundException($"--resume: no checkpoint at '{checkpoint}'");
        if (!o.Resume && File.Exists(checkpoint))
            throw new IOException($"'{checkpoint}' exists: pass --resume to continue that run, or choose another --out");

        var fetcher = new DataFetcher(o.DataDirectory, log);
        log?.Invoke($"loading {dataset}");
        var train = DatasetCatalog.Load(dataset, "train", fetcher);
        var test = DatasetCatalog.Load(dataset, "test", fetcher);
        if (o.TrainLimit is int tl) train = train.Slice(0, Math.Min(tl, train.Count));
        if (o.TestLimit is int el) test = test.Slice(0, Math.Min(el, test.Count));
        if (train.ClassCount != spec.Classes)
            throw new InvalidDataException($"dataset '{dataset}' has {train.ClassCount} classes, model '{spec.Name}' expects {spec.Classes}");
        var expected = spec.Input;
        if (expected.Length != 3 || expected[0] != train.Channels || expected[1] != train.Height || expected[2] != train.Width)
            throw new InvalidDataException($"dataset '{dataset}' has images {train.Channels}x{train.Height}x{train.Width}, model '{spec.Name}' expects {string.Join("x", expected)}");

        int ranks = o.DataParallel?.World.Size ?? 1;
        bool writer = o.DataParallel is null || o.DataParallel.World.Rank == 0;

        var probe = o.Start?.Model ?? spec.Build();
        var normalization = spec.Normalization ?? (probe is IsingBlockNet ? Normalization.UnitRange
            : DatasetCatalog.TryGet(dataset, out var info) ? info.Normalization : MeasuredNormalization(train));
        spec = spec.WithNormalization(normalization);
        var model = o.Start?.Model ?? spec.Build();
        var options = baseOptions with
        {
            Epochs = o.Epochs ?? baseOptions.Epochs,
            LearningRate = o.LearningRate ?? baseOptions.LearningRate,
            WeightDecay = o.WeightDecay ?? baseOptions.WeightDecay,
            EmaDecay = o.EmaDecay ?? baseOptions.EmaDecay,
            Seed = o.Seed,
            CheckpointPath = writer ? checkpoint : null,
            CheckpointEverySteps = o.CheckpointEverySteps,
            MaxStepsThisRun = o.MaxStepsThisRun,
            TestEvery = o.TestEvery ?? baseOptions.TestEvery,
        };
        // A resumed run takes its weights from its own checkpoint below; its start is only compared, by SHA-256.
        if (initFrom is not null && !o.Resume)
        {
            Checkpoint.Restore(initFrom, model);
            log?.Invoke($"starting from the weights of {initFrom}");
        }
        else if (o.Start is null) model.Initialize(options.Seed);
        if (model is IsingBlockNet net) net.NoiseSeed = options.Seed;
        int batchSize = o.BatchSize ?? preset?.BatchSize ?? 128;
        if (batchSize < ranks) throw new ArgumentException($"--batch-size {batchSize} is smaller than the {ranks} processes sharing each batch");
        var augmentation = new Augmentation(o.AugmentPadding ?? preset?.AugmentPadding ?? 0, o.AugmentFlip ?? preset?.AugmentFlip ?? false,
            o.AugmentCutout ?? preset?.AugmentCutout ?? 0);
        var loader = new DataLoader(train, new DataLoaderOptions
        {
            BatchSize = batchSize,
            Shuffle = true,
            DropLast = true,
            Seed = options.Seed,
            Normalization = normalization,
            Augmentation = augmentation,
        });
        var checksums = new Dictionary<string, string>();
        foreach (var s in train.Sources) checksums[$"{dataset}/{Path.GetFileName(s.Path)}"] = s.Sha256;
        foreach (var s in test.Sources) checksums[$"{dataset}/{Path.GetFileName(s.Path)}"] = s.Sha256;
        if (writer) Directory.CreateDirectory(o.OutputDirectory);
        using var device = onDevice ? ComputeDevice.Open(o.Device) : null;
        if (onDevice) log?.Invoke($"training on {(device is null ? "cpu (no CUDA device)" : device.ToString())}");
        var trainer = new Trainer(model, spec.ToJson(), options, new LoaderBatchSource(loader), checksums)
        {
            Engine = device is null ? null : (m, opt) => new DeviceTrainingEngine(device, (IsingBlockNet)m, opt),
            Progress = progress,
            StopRequest = o.StopRequest,
            DataParallel = o.DataParallel,
            RunSettings = new JsonObject
            {
                ["--batch-size"] = batchSize, ["--pad-crop"] = augmentation.Padding, ["--flip"] = augmentation.HorizontalFlip,
                ["training examples (--train-limit)"] = train.Count,
                ["--init-from"] = initFrom is null ? null : Provenance.FileSha256(initFrom),
            },
        };
        // Recorded only when used, so that runs from before the option resume unchanged.
        if (augmentation.Cutout > 0) trainer.RunSettings["--cutout"] = augmentation.Cutout;
        if (o.ValidateEachEpoch && writer)
            trainer.Validate = m => Evaluator.Run(m, test, normalization, EvalMode.Forward).Accuracy;
        if (o.Resume)
        {
            trainer.Resume(checkpoint);
            log?.Invoke($"resumed from step {trainer.State.Step} (epoch {trainer.State.Epoch}, batch {trainer.State.BatchInEpoch})");
        }
        o.DataParallel?.BroadcastState(model);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var state = trainer.Run(cancel);
        bool finished = state.Epoch >= options.Epochs;
        double? acc = finished && writer ? Evaluator.Run(model, test, normalization, EvalMode.Forward).Accuracy : null;
        return new TrainingRunResult(checkpoint, spec, model, state, acc, clock.Elapsed.TotalSeconds, test, normalization, finished, trainer.Stopped);
    }

    /// <summary>Rebuilds a trained model from its checkpoint (weights only).</summary>
    public static (ModelSpec Spec, Module Model, CheckpointMetadata Metadata) Load(string checkpointPath)
    {
        if (!File.Exists(checkpointPath)) throw new FileNotFoundException($"checkpoint '{checkpointPath}' not found");
        var meta = Checkpoint.ReadMetadata(checkpointPath);
        if (string.IsNullOrEmpty(meta.ModelDefinition)) throw new InvalidDataException($"checkpoint '{checkpointPath}' holds no model definition");
        var spec = ModelSpec.Parse(meta.ModelDefinition, $"{checkpointPath} (model definition)");
        var model = spec.Build();
        Checkpoint.Restore(checkpointPath, model);
        model.Eval();
        return (spec, model, meta);
    }

    /// <summary>Per-channel mean and standard deviation of pixels/255, for datasets outside the catalogue.</summary>
    static Normalization MeasuredNormalization(LabeledImages data)
    {
        var (mean, std) = data.ChannelStatistics();
        return new Normalization(mean.Select(v => (float)v).ToArray(), std.Select(v => (float)Math.Max(v, 1e-3)).ToArray());
    }

    /// <summary>The dataset a checkpoint was trained on (from its provenance checksums), or null.</summary>
    public static string? DatasetOf(CheckpointMetadata meta) =>
        meta.Provenance.DatasetChecksums.Keys.Select(k => k.Split('/')[0]).FirstOrDefault();
}
