using System.CommandLine;
using System.Text.Json.Nodes;
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
        var model = new Option<string?>("--model") { Description = "model-definition JSON file (see docs/formats.md); needs --dataset" };
        var dataset = new Option<string?>("--dataset") { Description = "mnist, fashion-mnist, cifar10, cifar100 or a path (default: the preset's)" };
        var epochs = new Option<int?>("--epochs") { Description = "passes over the training set (default: the preset's)" }.Within(1, 100_000);
        var batch = new Option<int?>("--batch-size") { Description = "mini-batch size (default 128)" }.Within(1, 65_536);
        var lr = new Option<float?>("--lr") { Description = "peak learning rate (default: the preset's)" }.Above(0f, float.MaxValue);
        var seed = new Option<ulong>("--seed") { Description = "master seed: initialisation, data order, augmentation and noise", DefaultValueFactory = _ => 1 }.Within(0UL, ulong.MaxValue);
        var output = new Option<string?>("--out") { Description = "run directory (default runs/<model name>); the checkpoint is <out>/model.safetensors" };
        var resume = new Option<bool>("--resume") { Description = "continue the run in --out from its last checkpoint (same settings; any that differ are refused by name)" };
        var force = CommonOptions.Force();
        var every = new Option<int?>("--checkpoint-every") { Description = "also checkpoint every N steps (default: at epoch ends)" }.Within(1, int.MaxValue);
        var maxSteps = new Option<long?>("--max-steps") { Description = "stop (with a checkpoint) after N steps in this process" }.Within(1L, long.MaxValue);
        var trainLimit = new Option<int?>("--train-limit") { Description = "use only the first N training examples" }.Within(1, int.MaxValue);
        var testLimit = new Option<int?>("--test-limit") { Description = "use only the first N test examples" }.Within(1, int.MaxValue);
        var dataDir = new Option<string?>("--data-dir") { Description = "dataset cache (default ~/.cache/thermo or $THERMO_DATA_DIR)" };
        var quiet = new Option<bool>("--quiet") { Description = "no progress output" };
        var json = CommonOptions.Json();
        var padCrop = new Option<int?>("--pad-crop") { Description = "augmentation: zero-pad N pixels and crop randomly back (default: the preset's, else 0)" }.Within(0, 64);
        var flip = new Option<bool?>("--flip") { Description = "augmentation: random horizontal flips, true/false (default: the preset's, else false)" };
        var cmd = new Command("train", """
            Train a network and write a checkpoint (safetensors + JSON metadata, written atomically).

            Thermodynamic presets (quickstart, mnist, fashion-mnist, cifar10) train Ising-block networks whose surrogate
            models Gibbs sampling: evaluate them with `thermo eval --mode gibbs`. mnist-digital is an ordinary CNN.
            A killed run continues exactly with --resume (same data order, noise and learning rate).

            Examples:
              thermo train --preset mnist
              thermo train --model my-net.json --dataset fashion-mnist --epochs 5 --out runs/my-net
              thermo train --preset mnist --out runs/mnist --resume
            """)
        { preset, model, dataset, epochs, batch, lr, seed, output, resume, force, every, maxSteps, trainLimit, testLimit, padCrop, flip, dataDir, quiet, json };
        cmd.WithAction(parse =>
        {
            string? p = parse.GetValue(preset), m = parse.GetValue(model);
            if (p is null && m is null) throw new ArgumentException("give --preset NAME or --model FILE (see `thermo train --help`)");
            string name = p ?? Path.GetFileNameWithoutExtension(m!);
            if (parse.GetValue(every) is < 1 and var e) throw new ArgumentException($"--checkpoint-every must be at least 1 step, got {e}");
            if (parse.GetValue(maxSteps) is < 1 and var ms) throw new ArgumentException($"--max-steps must be at least 1 step, got {ms}");
            string outDir = parse.GetValue(output) ?? Path.Combine("runs", name);
            using var run = CommandOutput.Resumable(outDir, parse.GetValue(force), parse.GetValue(resume), TrainingRun.CheckpointName);
            var options = new TrainingRunOptions
            {
                Preset = p, ModelPath = m, Dataset = parse.GetValue(dataset), DataDirectory = parse.GetValue(dataDir),
                Epochs = parse.GetValue(epochs), BatchSize = parse.GetValue(batch), LearningRate = parse.GetValue(lr),
                Seed = parse.GetValue(seed), OutputDirectory = run.Path,
                Resume = parse.GetValue(resume), CheckpointEverySteps = parse.GetValue(every) ?? 0, MaxStepsThisRun = parse.GetValue(maxSteps) ?? 0,
                TrainLimit = parse.GetValue(trainLimit), TestLimit = parse.GetValue(testLimit),
                AugmentPadding = parse.GetValue(padCrop), AugmentFlip = parse.GetValue(flip),
            };
            bool asJson = parse.GetValue(json), silent = parse.GetValue(quiet);
            Action<string> log = asJson || silent ? _ => { } : s => Console.Error.WriteLine(s);
            var history = new List<TrainProgress>();
            var result = ProgressView.Run($"train {name}", silent, asJson, progress => TrainingRun.Execute(options, p =>
            {
                if (p.ValidationAccuracy is not null || p.Step % 20 == 0) history.Add(p);
                progress(p);
            }, log));
            var files = TrainingReport.Build(result, history).Write(options.OutputDirectory);
            run.Commit();
            string checkpoint = run.Published(result.CheckpointPath), html = run.Published(files.Html);
            var summary = new JsonObject
            {
                ["checkpoint"] = checkpoint,
                ["model"] = result.Spec.Name,
                ["finished"] = result.Finished,
                ["epoch"] = result.State.Epoch,
                ["step"] = result.State.Step,
                ["test_accuracy"] = result.TestAccuracy,
                ["seconds"] = Math.Round(result.Seconds, 1),
                ["report"] = html,
            };
            if (asJson) Console.WriteLine(summary.ToFiniteJson());
            else if (!silent)
                Console.WriteLine(result.Finished
                    ? $"trained {result.Spec.Name}: test accuracy {result.TestAccuracy * 100:F2}% ({(result.Spec.Family == "ising-blocks" ? "noise-free surrogate; run `thermo eval --mode gibbs`" : "forward pass")}), {result.Seconds:F0} s; checkpoint {checkpoint}; report {html}"
                    : $"stopped at step {result.State.Step} (epoch {result.State.Epoch + 1}); continue with --resume --out {outDir}");
            return 0;
        });
        return cmd;
    }
}
