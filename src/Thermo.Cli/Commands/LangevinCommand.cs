using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Thermo.Data;
using Thermo.IO;
using Thermo.Langevin;
using Thermo.Reports;

namespace Thermo.Cli.Commands;

/// <summary>
/// <c>thermo langevin train|eval|export</c>: Langevin (analog) thermodynamic computers trained by gradient descent
/// (Whitelam 2025), see docs/langevin.md.
/// </summary>
public static class LangevinCommand
{
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The command group.</summary>
    public static Command Create()
    {
        var langevin = new Command("langevin", """
            Langevin thermodynamic computers (Whitelam 2025, "Training thermodynamic computers by gradient descent"):
            real-valued units in V = Σ(J2 x² + J4 x⁴) + Σ b x + Σ J_ij x_i x_j under overdamped Langevin dynamics,
            inputs clamped, the class read from the output units at t_f.
              train   teacher network → idealised trajectories → maximum path likelihood (exact, convex),
                      then optional fine-tuning through the noisy dynamics; writes model.json + model.safetensors
              eval    single- and K-trajectory accuracy, accuracy versus t_f, confusion matrix, output trajectories,
                      heat per inference and the advantage over a digital network; optional report directory
              export  the trained parameters for hardware: thermo manifest + safetensors, or the published
                      thermo_gd parameters.dat order
            eval and export also read a published parameters.dat (--model parameters.dat --format published).
            Formats: docs/formats.md ("Langevin computer"). Method and ablations: docs/langevin.md.
            """);
        langevin.Subcommands.Add(Train());
        langevin.Subcommands.Add(Eval());
        langevin.Subcommands.Add(Export());
        return langevin;
    }

    /// <summary>
    /// <c>--dataset</c>, as in every other command; <c>--data</c>, its name before, is still accepted but not shown.
    /// </summary>
    sealed class DatasetChoice
    {
        public readonly Option<string> Dataset = new("--dataset") { Description = "dataset name or path (default: mnist)", DefaultValueFactory = _ => "mnist" };
        public readonly Option<string?> OldName = new("--data") { Description = "old name of --dataset", Hidden = true };

        public string Value(ParseResult parse)
        {
            if (parse.GetValue(OldName) is not { } old) return parse.GetValue(Dataset)!;
            if (parse.GetResult(Dataset) is { Implicit: false }) throw new ArgumentException("give --dataset (or its old name --data), not both");
            return old;
        }
    }

    static Option<string?> DataDirOption() => CommonOptions.DataDir();

    /// <summary>
    /// Most units of one kind. The couplings are dense, (I + H + O)² floats: 16 384 units are a gigabyte, and the published
    /// computer has 784 + 64 + 10.
    /// </summary>
    const int MaxUnits = 16_384;

    /// <summary>Most Euler–Maruyama steps up to t_f (the published schedule has 200).</summary>
    const int MaxSteps = 10_000_000;

    /// <summary>The schedule of <paramref name="dt"/> up to <paramref name="finalTime"/>, refused when it has no step or absurdly many.</summary>
    static LangevinSchedule Steps(float dt, double finalTime, string options)
    {
        double steps = Math.Round(finalTime / dt);
        if (steps < 1) throw new ArgumentException($"{options}: t_f = {finalTime:G4} is {steps} steps of Δt = {dt:G4}, so nothing would be simulated; use a smaller --dt");
        if (steps > MaxSteps) throw new ArgumentException($"{options}: t_f = {finalTime:G4} is {steps:G3} steps of Δt = {dt:G4}, more than {MaxSteps}; use a larger --dt");
        return LangevinSchedule.ForTime(dt, finalTime);
    }

    static Option<T> Opt<T>(string name, string description, T value) => new(name) { Description = description, DefaultValueFactory = _ => value };

    /// <summary>Options that describe a published parameters.dat, which stores numbers only.</summary>
    sealed class PublishedLayoutOptions
    {
        public readonly Option<int> Inputs = Opt("--inputs", "published files only: input units I", PublishedParameterFile.PublishedInputs).Within(1, MaxUnits);
        public readonly Option<int> Hidden = Opt("--hidden", "published files only: hidden units H (0 = infer from the count of numbers)", 0).Within(0, MaxUnits);
        public readonly Option<int> Outputs = Opt("--outputs", "published files only: output units O", PublishedParameterFile.PublishedOutputs).Within(1, MaxUnits);
        public IEnumerable<Option> All => [Inputs, Hidden, Outputs];
    }

    /// <summary>
    /// Loads a thermo manifest or a published parameters.dat; <paramref name="format"/> null picks by extension
    /// (.json: thermo, otherwise published). What the import inferred goes to stderr.
    /// </summary>
    static (LangevinComputer Computer, LangevinSchedule Schedule, JsonObject Content, bool Published) LoadModel(string path, string? format,
        ParseResult parse, PublishedLayoutOptions layout)
    {
        string fmt = format ?? (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? "thermo" : "published");
        switch (fmt)
        {
            case "thermo":
                var (computer, schedule, content) = LangevinModelFile.Load(path);
                return (computer, schedule, content, false);
            case "published":
                var (pc, ps, pcontent) = PublishedParameterFile.Load(path, parse.GetValue(layout.Inputs), parse.GetValue(layout.Hidden), parse.GetValue(layout.Outputs));
                foreach (var note in pcontent["notes"]!.AsArray()) Console.Error.WriteLine($"{path}: {note}");
                return (pc, ps, pcontent, true);
            default: throw new ArgumentException($"model format must be 'thermo' or 'published', got '{fmt}'");
        }
    }

    /// <summary>Normalised inputs of one split; the target norm R comes from <paramref name="norm"/> or, when it is 0, from this split.</summary>
    static (float[] X, int[] Labels, int Count, LabeledImages Images, InputNormalization Norm) LoadSplit(string data, string? dataDir, string split, InputNormalization? norm, int limit = 0)
    {
        var images = DatasetCatalog.Load(data, split, new DataFetcher(dataDir, m => Console.Error.WriteLine(m)));
        int width = images.ImageSize, count = limit > 0 ? Math.Min(limit, images.Count) : images.Count;
        var raw = new float[count * width];
        for (int i = 0; i < raw.Length; i++) raw[i] = images.Pixels[i];
        var normalization = norm ?? InputNormalization.Mnist(0);
        if (normalization.TargetNorm <= 0) normalization = normalization with { TargetNorm = InputNormalization.LargestNorm(raw, count, width, normalization) };
        return (normalization.ApplyRows(raw, count, width), images.Labels[..count], count, images, normalization);
    }

    static Command Train()
    {
        var data = new DatasetChoice(); var dataDir = DataDirOption();
        var output = Opt("--out", "run directory for model.json, model.safetensors, teacher.safetensors, train.json", "runs/langevin");
        var hidden = Opt("--hidden", "hidden units H", 64).Within(1, MaxUnits);
        var classes = Opt("--classes", "coupling classes: published (ih,hh,ho,oo,io), all, or a list of ii,ih,hh,ho,oo,io", "published");
        var kt = Opt("--kt", "kT", 1f).Within(0f, 1e6f); var j2 = Opt("--j2", "J2", 1f).Within(-1e6f, 1e6f); var j4 = Opt("--j4", "J4", 1f).Within(0f, 1e6f);
        var dt = Opt("--dt", "Euler–Maruyama step Δt", 1e-3f).Above(0f, 1e6f); var tf = Opt("--tf", "observation time t_f", 0.2).Above(0d, 1e6);
        var activation = Opt("--teacher", "teacher activation: tanh or equilibrium (the unit's own response)", TeacherActivation.Tanh);
        var teacherEpochs = Opt("--teacher-epochs", "teacher epochs", 8).Within(1, 100_000);
        var teacherNoise = Opt("--teacher-noise", "thermal-noise injection into the teacher (multiplier, 0 = off)", 0f).Within(0f, 1e6f);
        var readout = Opt("--readout-scale", "β of the teacher's softmax on the output activations", 4f).Above(0f, 1e6f);
        var shape = Opt("--trajectory", "idealised trajectory: relaxation, exponential or linear", TrajectoryShape.Relaxation);
        var tau = Opt("--tau", "τ of the exponential trajectory", 0.04f).Above(0f, 1e6f);
        var hiddenScale = Opt("--hidden-scale", "hidden targets = scale × teacher hidden activations", 3f).Above(0f, 1e6f);
        var outputScale = Opt("--output-scale", "output targets = scale × teacher output activations", 3f).Above(0f, 1e6f);
        var ridge = Opt("--ridge", "ridge of the maximum-likelihood fit (relative to the mean Gram diagonal)", 1e-6).Within(0d, 1e6);
        var fitInputs = Opt("--fit-inputs", "training inputs used for the path statistics (0 = all)", 0).Within(0, int.MaxValue);
        var ftEpochs = Opt("--finetune-epochs", "epochs of fine-tuning through the noisy dynamics (0 = teacher–student only)", 0).Within(0, 100_000);
        var ftLr = Opt("--finetune-lr", "fine-tuning peak learning rate (AdamW, cosine)", 1e-3f).Above(0f, 1e6f);
        var ftBatch = Opt("--finetune-batch", "fine-tuning inputs per step", 100).Within(1, 65_536);
        var ftBeta = Opt("--finetune-readout-scale", "β of the softmax on the output units while fine-tuning", 1f).Above(0f, 1e6f);
        var ftHeat = Opt("--finetune-heat-penalty", "weight η of the heat penalty η·(−ΔV)/kT per trajectory while fine-tuning (0 = accuracy only)", 0f).Within(0f, 1e6f);
        var seed = Opt("--seed", "master seed", 1UL).Within(0UL, ulong.MaxValue);
        var evalInputs = Opt("--eval-inputs", "test inputs for the closing single-trajectory check (0 = skip)", 10000).Within(0, int.MaxValue);
        var force = CommonOptions.Force();
        var json = CommonOptions.Json();
        var command = new Command("train", """
            Train a Langevin computer on a dataset (default MNIST, the published 784-64-10 setting with kT = J2 = J4 = 1,
            Δt = 1e-3, t_f = 0.2 and the published input normalisation with R = the largest training-set norm).
            Steps: teacher (AdamW) → idealised trajectories from its activations → exact maximum path likelihood →
            optional fine-tuning through the noisy dynamics. Progress goes to stderr.
            """)
        {
            data.Dataset, data.OldName, dataDir, output, hidden, classes, kt, j2, j4, dt, tf, activation, teacherEpochs, teacherNoise, readout, shape, tau,
            hiddenScale, outputScale, ridge, fitInputs, ftEpochs, ftLr, ftBatch, ftBeta, ftHeat, seed, evalInputs, force, json,
        };
        return command.WithAction(parse =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var schedule = Steps(parse.GetValue(dt), parse.GetValue(tf), "--dt and --tf");
            if (parse.GetValue(j4) == 0 && parse.GetValue(j2) <= 0)
                throw new ArgumentException($"--j4 0 with --j2 {parse.GetValue(j2).ToString(Invariant)}: the potential J2 x² + J4 x⁴ has no minimum, so the units run away; give --j4 > 0 or --j2 > 0");
            using var run = CommandOutput.Directory(parse.GetValue(output)!, parse.GetValue(force));
            void Log(string message) => Console.Error.WriteLine($"[{clock.Elapsed.TotalSeconds,6:F0} s] {message}");
            var train = LoadSplit(data.Value(parse), parse.GetValue(dataDir), "train", null);
            int side = train.Images.Height == train.Images.Width ? train.Images.Width : 0;
            Log($"{train.Images.Name} train: {train.Count} inputs of {train.Images.ImageSize}, target L2 norm R = {train.Norm.TargetNorm:F4}");
            var options = new LangevinTrainingOptions
            {
                Hidden = parse.GetValue(hidden), Classes = CouplingClassNames.Parse(parse.GetValue(classes)!),
                KT = parse.GetValue(kt), J2 = parse.GetValue(j2), J4 = parse.GetValue(j4), Schedule = schedule,
                Activation = parse.GetValue(activation), TeacherEpochs = parse.GetValue(teacherEpochs), TeacherNoise = parse.GetValue(teacherNoise),
                ReadoutScale = parse.GetValue(readout),
                Trajectory = new IdealTrajectory(parse.GetValue(shape), parse.GetValue(tau), parse.GetValue(hiddenScale), parse.GetValue(outputScale)),
                Ridge = parse.GetValue(ridge), FitInputs = parse.GetValue(fitInputs),
                FineTuneEpochs = parse.GetValue(ftEpochs), FineTuneLearningRate = parse.GetValue(ftLr), FineTuneBatch = parse.GetValue(ftBatch),
                FineTuneReadoutScale = parse.GetValue(ftBeta), FineTuneHeatPenalty = parse.GetValue(ftHeat), Seed = parse.GetValue(seed),
            };
            var result = LangevinTraining.Train(options, train.X, train.Labels, train.Count, train.Images.ImageSize, side, train.Images.ClassCount, train.Norm, Log);

            var summary = new JsonObject
            {
                ["dataset"] = train.Images.Name, ["train_inputs"] = train.Count, ["hidden"] = options.Hidden,
                ["coupling_classes"] = string.Join(",", CouplingClassNames.Names(options.Classes)),
                ["teacher"] = options.Activation.ToString().ToLowerInvariant(), ["teacher_epochs"] = options.TeacherEpochs,
                ["teacher_noise"] = options.TeacherNoise, ["readout_scale"] = options.ReadoutScale,
                ["teacher_train_accuracy"] = result.TeacherTrainAccuracy,
                ["trajectory"] = options.Trajectory.Shape.ToString().ToLowerInvariant(), ["tau"] = options.Trajectory.Tau,
                ["hidden_scale"] = options.Trajectory.HiddenScale, ["output_scale"] = options.Trajectory.OutputScale,
                ["ridge"] = options.Ridge, ["fit_iterations"] = result.Fit.Iterations, ["fit_relative_residual"] = result.Fit.RelativeResidual,
                ["fit_neg_log_likelihood_per_term"] = result.Fit.NegLogLikelihoodPerTerm,
                ["finetune_epochs"] = options.FineTuneEpochs, ["finetune_lr"] = options.FineTuneLearningRate,
                ["finetune_batch"] = options.FineTuneBatch, ["finetune_readout_scale"] = options.FineTuneReadoutScale,
                ["finetune_heat_penalty"] = options.FineTuneHeatPenalty,
                ["finetune_last_train_accuracy"] = result.FineTune.Count > 0 ? result.FineTune[^1].Accuracy : null,
                ["seed"] = options.Seed,
            };
            int nEval = parse.GetValue(evalInputs);
            if (nEval > 0)
            {
                var test = LoadSplit(data.Value(parse), parse.GetValue(dataDir), "test", train.Norm, nEval);
                summary["teacher_test_accuracy"] = LangevinTraining.TeacherAccuracy(result.Teacher, test.X, test.Labels, test.Count, train.Images.ImageSize);
                var scores = LangevinEvaluation.Evaluate(result.Computer, schedule, test.X, test.Labels, test.Count, seed: 0);
                summary["test_inputs"] = test.Count;
                summary["test_top1_single_trajectory"] = scores.Top1;
                summary["test_top2_single_trajectory"] = scores.Top2;
                Log($"test: teacher {summary["teacher_test_accuracy"]!.GetValue<double>():P2}; computer, one trajectory: top-1 {scores.Top1:P2}, top-2 {scores.Top2:P2}");
            }
            string modelPath = Path.Combine(run.Path, "model.json");
            LangevinModelFile.Save(modelPath, result.Computer, schedule, summary);
            Safetensors.Save(Path.Combine(run.Path, "teacher.safetensors"), result.Teacher.StateDict());
            modelPath = run.Published(modelPath);
            summary["model"] = modelPath;
            summary["seconds"] = clock.Elapsed.TotalSeconds;
            AtomicFile.WriteAllText(Path.Combine(run.Path, "train.json"), summary.ToFiniteJsonIndented());
            run.Commit();
            if (parse.GetValue(json)) Console.WriteLine(summary.ToFiniteJson());
            else Console.WriteLine($"wrote {modelPath} ({clock.Elapsed.TotalSeconds:F0} s)");
            return 0;
        });
    }

    static Command Eval()
    {
        var model = new Option<string>("--model") { Description = "model.json written by `thermo langevin train`, or a published thermo_gd parameters.dat", Required = true };
        var modelFormat = new Option<string?>("--format", "--model-format") { Description = "model file format: thermo (manifest) or published (thermo_gd parameters.dat); default: thermo for .json, published otherwise" };
        var layout = new PublishedLayoutOptions();
        var ktOverride = new Option<float?>("--kt") { Description = "run at this kT instead of the model's (0 = noise off; a published file has kT = 1)" }.Within(0f, 1e6f);
        var data = new DatasetChoice(); var dataDir = DataDirOption();
        var split = Opt("--split", "split to evaluate", "test");
        var limit = Opt("--limit", "evaluate the first N inputs only (0 = all)", 0).Within(0, int.MaxValue);
        var trajectories = Opt("--trajectories", "independent trajectories per input: single-trajectory accuracy is their mean, K-averaged accuracy uses all of them", 1).Within(1, 1_000_000);
        var seed = Opt("--seed", "noise seed", 0UL).Within(0UL, ulong.MaxValue);
        var times = Opt("--times", "observation times for accuracy versus t_f (comma-separated; empty = skip)", "0.025,0.05,0.075,0.1,0.125,0.15,0.2,0.3,0.4");
        var normFrom = new Option<string?>("--norm-from") { Description = "target L2 norm R: model (the stored training maximum) or split (the largest norm among the loaded digits of the evaluated split, the published convention); default: model when the model stores R, split for a published parameters.dat" };
        var energyPerMac = Opt("--energy-per-mac", "joules per multiply-accumulate of the digital baseline (default: FP32 at 45 nm, Horowitz 2014)", InferenceEnergy.Fp32MacJoules).Above(0d, 1d);
        var kelvin = Opt("--temperature", "bath temperature in kelvin for kT → joules", 300.0).Above(0d, 1e9);
        var report = new Option<string?>("--report") { Description = "write report.json/md/html and figures (output trajectories, accuracy versus t_f, confusion matrix) to this directory" };
        var dtOverride = new Option<float?>("--dt") { Description = "integrate with this Δt instead of the model's (same t_f): a check of the discretisation" }.Above(0f, 1e6f);
        var force = CommonOptions.Force();
        var json = CommonOptions.Json();
        var command = new Command("eval", """
            Evaluate a trained Langevin computer: top-1/top-2 accuracy of one noisy trajectory (the published readout) and of
            K averaged trajectories, accuracy versus observation time, confusion matrix, and the heat released per inference
            (Stratonovich, in kT) against the energy of the equivalent digital network (I·H + H·O MACs × --energy-per-mac).
            With kT = 0 (noise off) the heat is given in the energy unit of V only: it has no value in kT or joules.
            --model may be a published thermo_gd parameters.dat (--format published; kT = 1 unless --kt, R from the split).
            """)
        { model, modelFormat, layout.Inputs, layout.Hidden, layout.Outputs, ktOverride, data.Dataset, data.OldName, dataDir, split, limit, trajectories, seed, times, normFrom, energyPerMac, kelvin, report, dtOverride, force, json };
        return command.WithAction(parse =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var reportOut = parse.GetValue(report) is { } reportDir ? CommandOutput.Directory(reportDir, parse.GetValue(force), "--report") : null;
            var (computer, schedule, content, _) = LoadModel(parse.GetValue(model)!, parse.GetValue(modelFormat), parse, layout);
            if (parse.GetValue(dtOverride) is { } newDt) schedule = Steps(newDt, schedule.FinalTime, $"--dt {newDt.ToString(Invariant)}");
            else if (schedule.Steps < 1) throw new InvalidDataException($"'{parse.GetValue(model)}': t_f = {schedule.FinalTime:G4} with Δt = {schedule.Dt:G4} is no step, so nothing would be simulated");
            var timeList = ParseTimes(parse.GetValue(times)!);
            foreach (var t in timeList) Steps(schedule.Dt, t, $"--times {t.ToString(Invariant)}");
            if (parse.GetValue(ktOverride) is { } newKT)
                computer.KT = newKT >= 0 && float.IsFinite(newKT) ? newKT : throw new ArgumentException($"--kt must be a finite number ≥ 0, got {newKT}");
            bool storesNorm = computer.Normalization.TargetNorm > 0;
            string from = parse.GetValue(normFrom) ?? (storesNorm ? "model" : "split");
            if (from is not ("model" or "split")) throw new ArgumentException($"--norm-from must be 'model' or 'split', got '{from}'");
            if (from == "model" && !storesNorm) throw new ArgumentException("--norm-from model: this model stores no target norm R (a published parameters.dat never does); use --norm-from split");
            var set = LoadSplit(data.Value(parse), parse.GetValue(dataDir), parse.GetValue(split)!,
                from == "model" ? computer.Normalization : computer.Normalization with { TargetNorm = 0 }, parse.GetValue(limit));
            if (set.Images.ImageSize != computer.Inputs) throw new ArgumentException($"the model has {computer.Inputs} inputs, {set.Images.Name} images have {set.Images.ImageSize} pixels");
            for (int i = 0; i < set.Count; i++)
                if (set.Labels[i] >= computer.Outputs)
                    throw new InvalidDataException($"{set.Images.Name} {set.Images.Split} images: label {set.Labels[i]} of example {i} is outside the model's {computer.Outputs} output units (classes 0..{computer.Outputs - 1})");
            int k = parse.GetValue(trajectories);
            ulong noiseSeed = parse.GetValue(seed);
            var status = StatusLine.Stderr();
            var scores = LangevinEvaluation.Evaluate(computer, schedule, set.X, set.Labels, set.Count, k, noiseSeed, heat: true,
                progress: done => status.Count(done, set.Count, "inputs"));
            status.End();
            var energy = new InferenceEnergy
            {
                Heat = scores.HeatMean, HeatStd = scores.HeatStd, KT = computer.KT, DigitalMacs = InferenceEnergy.EquivalentMacs(computer),
                JoulesPerMac = parse.GetValue(energyPerMac), TemperatureKelvin = parse.GetValue(kelvin),
            };
            var overTime = timeList.Length > 0 ? LangevinEvaluation.AccuracyOverTime(computer, schedule.Dt, set.X, set.Labels, set.Count, timeList, noiseSeed) : [];

            var result = new JsonObject
            {
                ["model"] = parse.GetValue(model), ["dataset"] = set.Images.Name, ["split"] = set.Images.Split, ["inputs"] = set.Count,
                ["trajectories_per_input"] = k, ["seed"] = noiseSeed, ["t_final"] = schedule.FinalTime, ["dt"] = schedule.Dt, ["kT"] = computer.KT,
                ["target_l2_norm"] = set.Norm.TargetNorm, ["norm_from"] = from,
                ["top1_single_trajectory"] = scores.Top1, ["top1_single_trajectory_stderr"] = scores.Top1StdErr, ["top2_single_trajectory"] = scores.Top2,
                ["top1_averaged"] = scores.Top1Averaged, ["top2_averaged"] = scores.Top2Averaged,
                ["heat_per_inference_units_of_V"] = FiniteJson.Number(energy.Heat), ["heat_per_inference_std_units_of_V"] = FiniteJson.Number(energy.HeatStd),
                ["heat_per_inference_kT"] = FiniteJson.Number(energy.HeatKT), ["heat_per_inference_std_kT"] = FiniteJson.Number(energy.HeatStdKT),
                ["temperature_kelvin"] = energy.TemperatureKelvin, ["heat_per_inference_joules"] = FiniteJson.Number(energy.HeatJoules),
                ["digital_macs_per_inference"] = energy.DigitalMacs, ["joules_per_mac"] = energy.JoulesPerMac,
                ["digital_joules_per_inference"] = energy.DigitalJoules, ["thermodynamic_advantage"] = FiniteJson.Number(energy.Advantage),
                ["heat_unavailable"] = energy.Unavailable,
                ["accuracy_versus_time"] = new JsonArray(overTime.Select(p => (JsonNode)new JsonObject { ["t"] = p.Time, ["top1"] = p.Top1, ["top2"] = p.Top2 }).ToArray()),
                ["confusion"] = new JsonArray(Enumerable.Range(0, scores.Classes).Select(r =>
                    (JsonNode)new JsonArray(Enumerable.Range(0, scores.Classes).Select(c => (JsonNode)scores.Confusion[r * scores.Classes + c]).ToArray())).ToArray()),
            };
            if (reportOut is not null)
            {
                WriteReport(reportOut.Path, computer, schedule, set, scores, energy, overTime, noiseSeed, content);
                reportOut.Commit();
            }
            if (parse.GetValue(json)) Console.WriteLine(result.ToFiniteJson());
            else
            {
                Console.WriteLine($"{set.Images.Name} {set.Images.Split}: {set.Count} inputs × {k} trajectories, t_f = {schedule.FinalTime:G4}, kT = {computer.KT:G4}, R = {set.Norm.TargetNorm:F4} ({(from == "split" ? "largest norm of the evaluated digits" : "stored in the model")})");
                Console.WriteLine($"  one trajectory:      top-1 {scores.Top1:P2} (± {scores.Top1StdErr:P2})   top-2 {scores.Top2:P2}");
                if (k > 1) Console.WriteLine($"  {k} averaged:         top-1 {scores.Top1Averaged:P2}   top-2 {scores.Top2Averaged:P2}");
                foreach (var p in overTime) Console.WriteLine($"  t_f = {p.Time,-6:G4} top-1 {p.Top1:P2}  top-2 {p.Top2:P2}");
                if (energy.Unavailable is { } why)
                {
                    Console.WriteLine($"  heat per inference:  {energy.Heat:G4} ± {energy.HeatStd:G3} (energy unit of V)");
                    Console.WriteLine($"                       {why}");
                    Console.WriteLine($"  digital equivalent:  {energy.DigitalMacs} MACs × {energy.JoulesPerMac:G3} J = {energy.DigitalJoules:G3} J");
                }
                else
                {
                    Console.WriteLine($"  heat per inference:  {energy.HeatKT:G4} ± {energy.HeatStdKT:G3} kT = {energy.HeatJoules:G3} J at {energy.TemperatureKelvin:G4} K");
                    Console.WriteLine($"  digital equivalent:  {energy.DigitalMacs} MACs × {energy.JoulesPerMac:G3} J = {energy.DigitalJoules:G3} J  →  advantage {energy.Advantage:G3}");
                }
            }
            return 0;
        });
    }

    static double[] ParseTimes(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => double.TryParse(s, NumberStyles.Float, Invariant, out var t) && t > 0 && double.IsFinite(t) ? t : throw new ArgumentException($"--times: '{s}' is not a positive finite number"))
            .Order().ToArray();

    static void WriteReport(string dir, LangevinComputer computer, LangevinSchedule schedule, (float[] X, int[] Labels, int Count, LabeledImages Images, InputNormalization Norm) set,
        LangevinScores scores, InferenceEnergy energy, IReadOnlyList<LangevinEvaluation.TimePoint> overTime, ulong seed, JsonObject content)
    {
        var r = RunReport.Start($"Langevin computer on {set.Images.Name} {set.Images.Split}", ReportKind.Langevin, seed);
        r.Result("top1_single_trajectory", scores.Top1).Result("top2_single_trajectory", scores.Top2)
         .Result("top1_averaged", scores.Top1Averaged).Result("heat_per_inference_units_of_V", energy.Heat)
         .Result("heat_per_inference_kT", energy.HeatKT).Result("thermodynamic_advantage", energy.Advantage);
        if (energy.Unavailable is { } why) r.Result("heat_unavailable", why);
        r.Detail("model", content.DeepClone());
        var acc = r.Section("Accuracy");
        acc.Table(["readout", "top-1", "top-2"], [
            [$"one trajectory (mean over {scores.Trajectories} per input)", scores.Top1, scores.Top2],
            [$"{scores.Trajectories} trajectories averaged", scores.Top1Averaged, scores.Top2Averaged],
        ]);
        if (overTime.Count > 0)
            acc.Plot(new PlotSpec("Accuracy versus observation time", "accuracy-versus-time")
                .Axes("observation time t_f", "single-trajectory accuracy")
                .Line("top-1", overTime.Select(p => p.Time).ToArray(), overTime.Select(p => p.Top1).ToArray())
                .Line("top-2", overTime.Select(p => p.Time).ToArray(), overTime.Select(p => p.Top2).ToArray()));
        int c = scores.Classes;
        var cells = Enumerable.Range(0, c).Select(i => (IReadOnlyList<double>)Enumerable.Range(0, c).Select(j => (double)scores.Confusion[i * c + j]).ToArray()).ToArray();
        acc.Plot(new PlotSpec("Confusion matrix (single trajectories)", "confusion").Axes("predicted class", "true class")
            .Add(new HeatmapSeries(cells, set.Images.ClassNames, set.Images.ClassNames, "trajectories", annotate: true, format: "0")));

        // Output-unit trajectories of the first four inputs, one figure each.
        var traj = r.Section("Output trajectories");
        int shown = Math.Min(4, set.Count), every = Math.Max(1, schedule.Steps / 200);
        var recorder = new TrajectoryObserver(shown, computer.Hidden, computer.Outputs, every);
        var run = LangevinSimulator.Run(computer, schedule, set.X.AsSpan(0, shown * computer.Inputs), shown, new LangevinRunOptions { Seed = seed, Observer = recorder });
        var time = Enumerable.Range(0, recorder.Samples).Select(s => s * every * (double)schedule.Dt).ToArray();
        for (int n = 0; n < shown; n++)
        {
            var final = run.Final.AsSpan(n * computer.Moving + computer.Hidden, computer.Outputs);
            int predicted = LangevinEvaluation.TopTwo(final).First;
            var ys = Enumerable.Range(0, computer.Outputs).Select(u => (IReadOnlyList<double>)Enumerable.Range(0, recorder.Samples)
                .Select(s => (double)recorder.Values[(n * recorder.Samples + s) * computer.Outputs + u]).ToArray()).ToArray();
            traj.Plot(new PlotSpec($"Input {n}: true class {set.Images.ClassNames[set.Labels[n]]}, predicted {set.Images.ClassNames[predicted]}", $"output-trajectories-{n}")
                .Axes("time t", "output unit x_i(t)")
                .Lines(set.Images.ClassNames.Take(computer.Outputs).ToArray(), time, ys));
        }
        var energySection = r.Section("Energy");
        if (energy.Unavailable is { } reason) energySection.Text(reason + ".");
        energySection.Table(["quantity", "value"], [
            ["heat released per inference (energy unit of V, mean)", energy.Heat],
            ["heat released per inference (kT, mean)", energy.HeatKT],
            ["heat released per inference (kT, std over trajectories)", energy.HeatStdKT],
            ["heat per inference (J) at T (K)", energy.HeatJoules],
            ["temperature (K)", energy.TemperatureKelvin],
            ["digital MACs per inference (I·H + H·O)", (double)energy.DigitalMacs],
            ["joules per MAC (assumed)", energy.JoulesPerMac],
            ["digital energy per inference (J)", energy.DigitalJoules],
            ["thermodynamic advantage (digital / thermodynamic)", energy.Advantage],
        ]).Text("Heat: Sekimoto's stochastic heat −Σ ∂V(x_mid)·Δx (Stratonovich) along each trajectory from the reset state to t_f. "
            + "Digital: arithmetic energy of the equivalent feed-forward network only (no memory traffic), default 4.6 pJ per FP32 MAC at 45 nm "
            + "(Horowitz, ISSCC 2014). Not included: resetting the units after readout, clamping the inputs, control electronics.");
        r.Write(dir);
    }

    static Command Export()
    {
        var model = new Option<string>("--model") { Description = "model.json written by `thermo langevin train`, or a published thermo_gd parameters.dat", Required = true };
        var modelFormat = new Option<string?>("--model-format") { Description = "format of --model: thermo or published; default: thermo for .json, published otherwise" };
        var layout = new PublishedLayoutOptions();
        var output = new Option<string>("--out") { Description = "output file: a .json manifest (format thermo) or a .dat file (format published)", Required = true };
        var format = Opt("--format", "thermo (manifest + safetensors, docs/formats.md) or published (thermo_gd parameters.dat order)", "thermo");
        var force = CommonOptions.Force();
        var json = CommonOptions.Json();
        var command = new Command("export", """
            Export a trained computer for hardware teams. thermo: <out>.json + <out>.safetensors, one F32 tensor per coupling
            class (J.input_hidden [784, H], …) and the biases, with kT, J2, J4, Δt, t_f and the input normalisation in the JSON.
            published: one number per line in the order of the published thermo_gd parameters.dat (bonds ii, ih, hh, ho, oo, io,
            then a bias per unit, inputs first). --model may itself be a published parameters.dat (--model-format published):
            importing and exporting gives back the same float32 numbers.
            """)
        { model, modelFormat, layout.Inputs, layout.Hidden, layout.Outputs, output, format, force, json };
        return command.WithAction(parse =>
        {
            string path = parse.GetValue(output)!, fmt = parse.GetValue(format)!;
            if (fmt is not ("thermo" or "published")) throw new ArgumentException($"--format must be 'thermo' or 'published', got '{fmt}'");
            var written = fmt == "thermo" ? new[] { path, TensorManifest.TensorsPathFor(path) } : [path];
            using var files = CommandOutput.Files(parse.GetValue(force), written);
            var (computer, schedule, content, _) = LoadModel(parse.GetValue(model)!, parse.GetValue(modelFormat), parse, layout);
            if (fmt == "thermo") LangevinModelFile.Save(files.StagedFile(path), computer, schedule, content["training"]?.DeepClone() as JsonObject);
            else PublishedParameterFile.Save(files.StagedFile(path), computer);
            files.Commit();
            if (parse.GetValue(json))
                Console.WriteLine(new JsonObject
                {
                    ["format"] = fmt, ["files"] = new JsonArray(written.Select(f => (JsonNode)f!).ToArray()),
                    ["parameters"] = computer.ParameterCount(), ["coupling_classes"] = string.Join(",", CouplingClassNames.Names(computer.Classes)),
                }.ToFiniteJson());
            else Console.WriteLine($"wrote {string.Join(" and ", written)} ({computer.ParameterCount()} parameters)");
            return 0;
        });
    }
}
