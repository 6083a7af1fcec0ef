using System.CommandLine;
using System.Text.Json.Nodes;
using Thermo.Devices;
using Thermo.Distributed;
using Thermo.Reports;
using Thermo.Training;
using Thermo.IO;

namespace Thermo.Cli.Commands;

/// <summary><c>thermo train</c>: trains a preset or a model-definition file and writes a resumable checkpoint.</summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var preset = new Option<string?>("--preset") { Description = $"built-in recipe: {string.Join(", ", Presets.All.Select(p => p.Name))}" };
        var model = new Option<string?>("--model") { Description = "model-definition JSON file (format: docs/formats.md, \"Model definitions\"); needs --dataset" };
        var dataset = new Option<string?>("--dataset") { Description = "mnist, fashion-mnist, cifar10, cifar100 or a path (default: the preset's)" };
        var epochs = new Option<int?>("--epochs") { Description = "passes over the training set (default: the preset's)" }.Within(1, 100_000);
        var batch = new Option<int?>("--batch-size") { Description = "mini-batch size (default 128)" }.Within(1, 65_536);
        var lr = new Option<float?>("--lr") { Description = "peak learning rate (default: the preset's)" }.Above(0f, float.MaxValue);
        var weightDecay = new Option<float?>("--weight-decay") { Description = "weight decay (decoupled for AdamW; default: the preset's, else 5e-4)" }.Within(0f, 1f);
        var ema = new Option<float?>("--ema") { Description = "keep an exponential moving average of the weights and batch-norm statistics with this decay (e.g. 0.999; default: none): each epoch's test accuracy is the average's, and the finished run's model is the average (CPU engine)" }.Within(0f, 0.999999f);
        var initFrom = new Option<string?>("--init-from") { Description = "start from the weights of this checkpoint (file or run directory) instead of a fresh initialisation; the model must have the same tensors, and the optimiser, learning rate and epochs start afresh (fine-tuning)" };
        var seed = new Option<ulong>("--seed") { Description = "master seed: initialisation, data order, augmentation and noise", DefaultValueFactory = _ => 1 }.Within(0UL, ulong.MaxValue);
        var output = new Option<string?>("--out") { Description = "run directory (default runs/<model name>); the checkpoint is <out>/model.safetensors" };
        var resume = new Option<bool>("--resume") { Description = "continue the run in --out from its last checkpoint (same settings; any that differ are refused by name)" };
        var force = CommonOptions.Force();
        var autoResume = new Option<bool>("--auto-resume") { Description = "continue the run in --out if it holds a checkpoint, else start it (for requeued cluster jobs)" };
        var distributed = new Option<DistributedMode>("--distributed") { Description = "none, or mpi: data parallelism over the processes of `mpirun -np P` (Open MPI); --batch-size is the global batch" };
        var every = new Option<int?>("--checkpoint-every") { Description = "also checkpoint every N steps (default: at epoch ends)" }.Within(1, int.MaxValue);
        var maxSteps = new Option<long?>("--max-steps") { Description = "stop (with a checkpoint) after N steps in this process" }.Within(1L, long.MaxValue);
        var trainLimit = new Option<int?>("--train-limit") { Description = "use only the first N training examples" }.Within(1, int.MaxValue);
        var testLimit = new Option<int?>("--test-limit") { Description = "use only the first N test examples" }.Within(1, int.MaxValue);
        var testEvery = new Option<int?>("--test-every")
        {
            Description = "measure test accuracy every N epochs and after the last (default 1: every epoch); it changes no weights, so --resume accepts another value",
        }.Within(1, int.MaxValue);
        var dataDir = CommonOptions.DataDir();
        var quiet = new Option<bool>("--quiet") { Description = "no progress output" };
        var json = CommonOptions.Json();
        var padCrop = new Option<int?>("--pad-crop") { Description = "augmentation: zero-pad N pixels and crop randomly back (default: the preset's, else 0)" }.Within(0, 64);
        var device = CommonOptions.Device();
        device.Description = "where training runs: cpu (the CPU engine), cuda (NVIDIA GPU through ILGPU), ilgpu-cpu (ILGPU's CPU accelerator, the test device), auto (cuda when present, else cpu); devices other than cpu train ising-blocks models only";
        var flip = new Option<bool?>("--flip") { Description = "augmentation: random horizontal flips, true/false (default: the preset's, else false)" };
        var cutout = new Option<int?>("--cutout") { Description = "augmentation: black out an N×N square of each training image, centred on a random pixel and clipped at the border (Cutout; default: the preset's, else 0: none)" }.Within(0, 64);
        var cmd = new Command("train", """
            Train a network and write a checkpoint (safetensors + JSON metadata, written atomically).

            Thermodynamic presets (quickstart, mnist, fashion-mnist, cifar10) train Ising-block networks whose surrogate
            models Gibbs sampling: evaluate them with `thermo eval --mode gibbs`. mnist-digital is an ordinary CNN.
            A killed run continues exactly with --resume (same data order, noise and learning rate).

            Examples:
              thermo train --preset mnist
              thermo train --model my-net.json --dataset fashion-mnist --epochs 5 --out runs/my-net
              thermo train --preset mnist --out runs/mnist --resume
              thermo train --model net-feedback.json --dataset cifar10 --init-from runs/cifar10 --epochs 5 --lr 5e-4 --out runs/ft
              mpirun -np 4 thermo train --preset mnist --out runs/mnist --distributed mpi --threads 1

            SIGTERM (Slurm's preemption and time-limit signal) stops after the current step with a checkpoint and
            exit code 75; --auto-resume continues from it bit for bit (docs/cluster.md).
            """)
        { preset, model, dataset, epochs, batch, lr, weightDecay, ema, initFrom, seed, output, resume, autoResume, force, distributed, every, maxSteps, trainLimit, testLimit, testEvery, padCrop, flip, cutout, dataDir, device, quiet, json };
        cmd.WithAction(parse =>
        {
            string? p = parse.GetValue(preset), m = parse.GetValue(model);
            if (p is null && m is null) throw new ArgumentException("give --preset NAME or --model FILE (see `thermo train --help`)");
            string name = p ?? Path.GetFileNameWithoutExtension(m!);
            if (parse.GetValue(every) is < 1 and var e) throw new ArgumentException($"--checkpoint-every must be at least 1 step, got {e}");
            if (parse.GetValue(maxSteps) is < 1 and var ms) throw new ArgumentException($"--max-steps must be at least 1 step, got {ms}");
            string outDir = parse.GetValue(output) ?? Path.Combine("runs", name);
            bool auto = parse.GetValue(autoResume);
            if (auto && (parse.GetValue(resume) || parse.GetValue(force)))
                throw new ArgumentException("--auto-resume decides by itself whether to resume: give it without --resume and --force");
            using var preemption = new PreemptionSignal();
            var world = parse.GetValue(distributed) == DistributedMode.Mpi ? MpiWorld.Join() : null;
            try
            {
                int code = Train(parse, name, outDir, auto, world, preemption.Token);
                world?.Dispose();
                return code;
            }
            catch (Exception failure) when (world is { Size: > 1 })
            {
                // MPI_Finalize would wait for ranks blocked in a collective; end them all instead.
                Console.Error.WriteLine($"error: rank {world.Rank}: {failure.Message}");
                world.Abort(CliAction.Failure);
                throw;
            }
        });
        return cmd;

        int Train(ParseResult parse, string name, string outDir, bool auto, MpiWorld? world, CancellationToken stop)
        {
            string? p = parse.GetValue(preset), m = parse.GetValue(model);
            bool rankZero = world is null || world.Rank == 0;
            bool resuming = parse.GetValue(resume) || auto && File.Exists(Path.Combine(outDir, TrainingRun.CheckpointName));
            if (world is not null)
            {
                // Rank 0's view of the run directory decides, so that all ranks agree.
                Span<int> decision = [resuming ? 1 : 0];
                world.Broadcast(decision);
                resuming = decision[0] == 1;
            }
            // Only rank 0 writes the run directory; the others read its checkpoint when resuming.
            using var run = rankZero ? CommandOutput.Resumable(outDir, parse.GetValue(force), resuming, TrainingRun.CheckpointName) : null;
            var options = new TrainingRunOptions
            {
                Preset = p, ModelPath = m, Dataset = parse.GetValue(dataset), DataDirectory = parse.GetValue(dataDir),
                Epochs = parse.GetValue(epochs), BatchSize = parse.GetValue(batch), LearningRate = parse.GetValue(lr),
                WeightDecay = parse.GetValue(weightDecay), EmaDecay = parse.GetValue(ema), InitFrom = parse.GetValue(initFrom), Seed = parse.GetValue(seed), OutputDirectory = run?.Path ?? Path.GetFullPath(outDir),
                Resume = resuming, CheckpointEverySteps = parse.GetValue(every) ?? 0, MaxStepsThisRun = parse.GetValue(maxSteps) ?? 0,
                TrainLimit = parse.GetValue(trainLimit), TestLimit = parse.GetValue(testLimit), TestEvery = parse.GetValue(testEvery),
                AugmentPadding = parse.GetValue(padCrop), AugmentFlip = parse.GetValue(flip), AugmentCutout = parse.GetValue(cutout),
                StopRequest = stop, DataParallel = world is null ? null : new DataParallel(world),
                Device = DeviceNames.Parse(parse.GetValue(device)!),
            };
            bool asJson = parse.GetValue(json), silent = parse.GetValue(quiet) || !rankZero;
            Action<string> log = asJson || silent ? _ => { } : s => Console.Error.WriteLine(s);
            if (world is not null && rankZero) log($"data parallel over {world.Size} MPI processes; global batch split by rank");
            var history = new List<TrainProgress>();
            var result = ProgressView.Run($"train {name}", silent, asJson && rankZero, progress => TrainingRun.Execute(options, p =>
            {
                if (p.ValidationAccuracy is not null || p.Step % 20 == 0) history.Add(p);
                progress(p);
            }, log));
            int exit = result.Stopped ? CliAction.Preempted : 0;
            if (run is null) return exit;
            var files = TrainingReport.Build(result, history).Write(options.OutputDirectory);
            run.Commit();
            string checkpoint = run.Published(result.CheckpointPath), html = run.Published(files.Html);
            var summary = new JsonObject
            {
                ["checkpoint"] = checkpoint,
                ["model"] = result.Spec.Name,
                ["finished"] = result.Finished,
                ["preempted"] = result.Stopped,
                ["epoch"] = result.State.Epoch,
                ["step"] = result.State.Step,
                ["test_accuracy"] = result.TestAccuracy,
                ["seconds"] = Math.Round(result.Seconds, 1),
                ["report"] = html,
            };
            if (asJson) Console.WriteLine(summary.ToFiniteJson());
            else if (result.Stopped)
                Console.Error.WriteLine($"stopped by SIGTERM at step {result.State.Step} with a checkpoint; continue with --auto-resume (or --resume) --out {outDir}");
            else if (!silent)
                Console.WriteLine(result.Finished
                    ? $"trained {result.Spec.Name}: test accuracy {result.TestAccuracy * 100:F2}% ({(result.Spec.Family == ModelFamily.IsingBlocks ? "noise-free surrogate; run `thermo eval --mode gibbs`" : "forward pass")}), {result.Seconds:F0} s; checkpoint {checkpoint}; report {html}"
                    : $"stopped at step {result.State.Step} (epoch {result.State.Epoch + 1}); continue with --resume --out {outDir}");
            return exit;
        }
    }
}
