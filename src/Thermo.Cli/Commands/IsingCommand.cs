using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Thermo.Blocks;
using Thermo.Devices;
using Thermo.IO;
using Thermo.Ising;
using Thermo.Nn;
using Thermo.Sampling;
using Thermo.Training;

namespace Thermo.Cli.Commands;

/// <summary>
/// <c>thermo ising</c>: Ising programs. <c>sample</c> runs block Gibbs on a program file or a dimod-style JSON
/// problem and prints magnetisations and pair correlations; <c>info</c> describes a program; <c>compile</c> turns
/// a trained checkpoint into program files.
/// </summary>
public static class IsingCommand
{
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The command group.</summary>
    public static Command Create()
    {
        var ising = new Command("ising", """
            Ising programs: what an Ising machine runs. A program is a file pair NAME.json + NAME.safetensors
            (see docs/formats.md) or, for `sample` and `info`, a plain dimod-style JSON problem
              {"beta": 1.0, "h": [h_0, h_1, ...], "J": [[i, j, J_ij], ...], "clamped": {"3": 1}}
            with energy E(s) = -sum_{i<j} J_ij s_i s_j - sum_i h_i s_i (dimod's sign convention is the opposite).
            See docs/ising.md.
            """);
        MergeCommand.Kinds[IsingSampleReport.Kind] = docs =>
            IsingSampleReport.Merge(docs.Select(d => (IsingSampleReport.Parse(d.Doc, $"'{d.Source}'"), $"'{d.Source}'")).ToList()).ToJsonObject();
        ising.Subcommands.Add(Sample());
        ising.Subcommands.Add(Info());
        ising.Subcommands.Add(Compile());
        return ising;
    }

    /// <summary>Reads a program file (manifest) or a dimod-style problem; the recommended schedule comes from program files.</summary>
    public static (IsingProgram Program, Schedule? Schedule) LoadProgram(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"program '{path}' does not exist", path);
        var text = File.ReadAllText(path);
        bool manifest;
        manifest = JsonInput.Parse(text, $"'{path}'") is JsonObject o && o.ContainsKey("format");
        return manifest ? ScheduledProgramFile.Load(path) : (DimodProblem.Parse(text, $"'{path}'"), null);
    }

    static Command Sample()
    {
        var program = new Argument<string>("program") { Description = "program file (NAME.json) or dimod-style JSON problem" };
        var samples = new Option<int?>("--samples") { Description = "samples G per chain (default: the program file's schedule, else 1000)" }.Within(1, int.MaxValue);
        var burnIn = new Option<int?>("--burn-in") { Description = "sweeps discarded before the first sample (default: file, else 100)" }.Within(0, int.MaxValue);
        var every = new Option<int?>("--sweeps-per-sample") { Description = "sweeps between samples (default: file, else 1)" }.Within(1, int.MaxValue);
        var seed = new Option<ulong>("--seed") { Description = "random seed", DefaultValueFactory = _ => 0 }.Within(0UL, ulong.MaxValue);
        var chains = new Option<int>("--chains") { Description = "independent chains per input", DefaultValueFactory = _ => 16 }.Within(1, 1 << 24);
        var inputs = new Option<string?>("--inputs") { Description = "a JSON file holding rows [[±1, ...], ...], one row of input-layer spins per input (programs with input layers)", HelpName = "FILE" };
        var firstInput = new Option<long>("--first-input") { Description = "global index of the first input row (keys its random numbers)", DefaultValueFactory = _ => 0 }.Within(0L, MaxFirstInput);
        var shard = new Option<string?>("--shard") { Description = "run only shard i/N of the (input, chain) grid; combine shards with `thermo merge`" };
        var sampler = new Option<SamplerKind>("--sampler") { Description = "fastest | reference | float32 | table | incremental", DefaultValueFactory = _ => SamplerKind.Fastest };
        var pairs = new Option<string?>("--correlations") { Description = "coupled | all | none (default: coupled for sparse problems, none for layered programs)" };
        var output = new Option<string?>("--out") { Description = "write the JSON here (atomically) instead of standard output" };
        var force = new Option<bool>("--force") { Description = SamplingCost.ForceDescription };
        var device = CommonOptions.Device();
        var command = new Command("sample", """
            Block Gibbs sampling of a program; prints {"magnetization": [...], "correlations": [[i, j, <s_i s_j>], ...], ...}.
            Magnetisations cover every spin in global order (clamped spins keep their values); with input layers there
            is one vector (and one correlation list) per input. "count", "spin_sums" and "pair_sums" are the exact
            integer sums behind them, which `thermo merge` adds up: merged shards equal the unsharded run byte for byte.
            """)
        { program, samples, burnIn, every, seed, chains, inputs, firstInput, shard, sampler, pairs, output, force, device };
        return command.WithAction(parse =>
        {
            using var outFile = CommandOutput.OptionalFile(parse.GetValue(output), parse.GetValue(force));
            string path = parse.GetValue(program)!;
            var (prog, fileSchedule) = LoadProgram(path);
            int burn = parse.GetValue(burnIn) ?? fileSchedule?.BurnIn ?? 100, g = parse.GetValue(samples) ?? fileSchedule?.Samples ?? 1000,
                sweepsPerSample = parse.GetValue(every) ?? fileSchedule?.SweepsPerSample ?? 1;
            long sweeps = burn + (long)g * sweepsPerSample;
            if (sweeps > int.MaxValue)
                throw new ArgumentException($"--burn-in {burn} + --samples {g} × --sweeps-per-sample {sweepsPerSample} is {sweeps} sweeps per chain, more than {int.MaxValue}");
            var schedule = new Schedule(burn, g, sweepsPerSample, fileSchedule?.AnnealStart ?? 1f, fileSchedule?.AnnealSweeps ?? 0);
            int nChains = parse.GetValue(chains);
            var batch = ReadInputs(prog, parse.GetValue(inputs), parse.GetValue(firstInput));
            if ((long)batch.Count * nChains > int.MaxValue)
                throw new ArgumentException($"--chains {nChains} × {batch.Count} input rows is more than {int.MaxValue} chains");
            var runShard = parse.GetValue(shard) is { } s ? Shard.Parse(s) : Shard.All;
            SamplingCost.Check((double)Schedule.SpinUpdates(prog.FreeSpinCount, sweeps) * nChains * batch.Count / runShard.Count, sweeps,
                $"--samples {g}, --burn-in {burn}, --sweeps-per-sample {sweepsPerSample} and --chains {nChains} on {batch.Count} input(s)", parse.GetValue(force));
            var request = new SamplingRequest(batch, nChains, schedule, parse.GetValue(seed))
            {
                Shard = runShard,
            };
            var pairList = Pairs(prog, parse.GetValue(pairs));
            var kind = parse.GetValue(sampler);
            if (kind is not (SamplerKind.Fastest or SamplerKind.Reference) && !LayeredGibbsSampler.Supports(prog, out var why))
                throw new ArgumentException($"--sampler {kind.ToString().ToLowerInvariant()} needs a layered program, but {why}; use fastest or reference");
            // A device runs the reference chain (bit for bit), so it takes the place of --sampler.
            using var opened = ComputeDevice.Open(DeviceNames.Parse(parse.GetValue(device)!));
            var gibbs = opened is null ? GibbsSampler.Create(prog, kind) : new DeviceGibbsSampler(prog, opened);
            var mag = new MagnetizationObserver();
            var corr = new CorrelationObserver(pairList);
            gibbs.Run(request, mag, corr);
            (gibbs as IDisposable)?.Dispose();

            var report = new IsingSampleReport { Shard = request.Shard, SingleInput = prog.InputSpinCount == 0, Pairs = pairList };
            report.Settings.Add(("program", Path.GetFileName(path)));
            report.Settings.Add(("program_sha256", Provenance.FileSha256(path)));
            report.Settings.Add(("sampler", gibbs.Representation));
            if (opened is not null) report.Settings.Add(("accelerator", opened.Name));
            report.Settings.Add(("seed", request.Seed));
            report.Settings.Add(("chains", nChains));
            report.Settings.Add(("burn_in", schedule.BurnIn));
            report.Settings.Add(("samples", schedule.Samples));
            report.Settings.Add(("sweeps_per_sample", schedule.SweepsPerSample));
            report.Settings.Add(("beta", prog.Beta));
            report.Settings.Add(("inputs", batch.Count));
            report.Settings.Add(("first_input", batch.FirstIndex));
            report.Count = Enumerable.Range(0, batch.Count).Select(mag.Count).ToArray();
            report.SpinSums = Enumerable.Range(0, batch.Count).Select(i => mag.Sums(i).ToArray()).ToArray();
            report.PairSums = Enumerable.Range(0, batch.Count).Select(i => corr.Sums(i).ToArray()).ToArray();
            Emit(report.ToJson(), parse.GetValue(output), outFile);
            return 0;
        });
    }

    /// <summary>Largest --first-input: global input indices key the random numbers and must leave room for the rows after it.</summary>
    const long MaxFirstInput = 1L << 48;

    /// <summary>Prints <paramref name="json"/> or publishes it as <paramref name="path"/> through <paramref name="output"/>.</summary>
    internal static void Emit(string json, string? path, CommandOutput? output)
    {
        if (path is null || output is null) Console.WriteLine(json);
        else output.PublishText(path, json);
    }

    static InputBatch ReadInputs(IsingProgram program, string? path, long firstIndex)
    {
        if (program.InputSpinCount == 0)
        {
            if (path is not null) throw new ArgumentException("--inputs given, but the program has no input layers");
            return new InputBatch([], 1, 0, firstIndex);
        }
        if (path is null) throw new ArgumentException($"the program has {program.InputSpinCount} input spins: give their values with --inputs FILE (JSON [[±1, ...], ...])");
        if (!File.Exists(path)) throw new FileNotFoundException($"inputs file '{path}' does not exist", path);
        JsonNode? root;
        root = JsonInput.ReadFile(path);
        if (root is not JsonArray rows || rows.Count == 0) throw new InvalidDataException($"'{path}': expected a non-empty array of rows [[±1, ...], ...]");
        var values = new sbyte[rows.Count * program.InputSpinCount];
        for (int r = 0; r < rows.Count; r++)
        {
            if (rows[r] is not JsonArray row || row.Count != program.InputSpinCount)
                throw new InvalidDataException($"'{path}': row {r} must hold {program.InputSpinCount} values (the program's input spins)");
            for (int k = 0; k < row.Count; k++)
            {
                int v = row[k] is JsonValue jv && jv.TryGetValue(out int iv) ? iv : 0;
                if (v is not (1 or -1)) throw new InvalidDataException($"'{path}': row {r}, value {k} must be +1 or -1");
                values[r * program.InputSpinCount + k] = (sbyte)v;
            }
        }
        return new InputBatch(values, rows.Count, program.InputSpinCount, firstIndex);
    }

    static (int, int)[] Pairs(IsingProgram program, string? mode)
    {
        bool sparse = program.Couplings.All(c => c is SparseCoupling);
        mode ??= sparse ? "coupled" : "none";
        switch (mode)
        {
            case "none": return [];
            case "coupled":
            {
                var g = program.Graph;
                var list = new List<(int, int)>();
                for (int i = 0; i < g.SpinCount; i++)
                    for (int k = g.RowStart[i]; k < g.RowStart[i + 1]; k++)
                        if (g.Neighbor[k] > i) list.Add((i, g.Neighbor[k]));
                if (list.Count > 1_000_000) throw new ArgumentException($"--correlations coupled would report {list.Count} pairs; use --correlations none");
                return list.ToArray();
            }
            case "all":
            {
                long n = program.SpinCount;
                if (n * (n - 1) / 2 > 1_000_000) throw new ArgumentException($"--correlations all would report {n * (n - 1) / 2} pairs for {n} spins; use coupled or none");
                var list = new List<(int, int)>();
                for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) list.Add((i, j));
                return list.ToArray();
            }
            default: throw new ArgumentException($"--correlations '{mode}': expected coupled, all or none");
        }
    }

    static Command Info()
    {
        var program = new Argument<string>("program") { Description = "program file (NAME.json) or dimod-style JSON problem" };
        var json = CommonOptions.Json();
        var command = new Command("info", "Describe a program: layers, couplings, β, δ, colouring, and which samplers can run it.") { program, json };
        return command.WithAction(parse =>
        {
            string path = parse.GetValue(program)!;
            var (loaded, schedule) = LoadProgram(path);
            bool layered = LayeredGibbsSampler.Supports(loaded, out var why);
            var colouring = loaded.Colouring;
            var node = new JsonObject
            {
                ["program"] = path,
                ["spins"] = loaded.SpinCount,
                ["input_spins"] = loaded.InputSpinCount,
                ["pinned_spins"] = loaded.PinnedSpins.Length,
                ["beta"] = loaded.Beta,
                ["delta"] = loaded.Delta,
                ["layers"] = new JsonArray(loaded.Layers.Select((l, i) => (JsonNode)new JsonObject
                {
                    ["name"] = l.Name, ["shape"] = new JsonArray(l.Shape.Select(d => (JsonNode)d).ToArray()), ["input"] = l.IsInput,
                    ["bias"] = loaded.Bias(i) is not null,
                }).ToArray()),
                ["couplings"] = new JsonArray(loaded.Couplings.Select(k => (JsonNode)Describe(loaded, k)).ToArray()),
                ["colouring"] = colouring.Kind == ColouringKind.LayerParity ? "layer-parity" : "greedy",
                ["colours"] = colouring.Count,
                ["layered_sampler"] = layered,
                ["sampler"] = GibbsSampler.Create(loaded).Representation,
            };
            if (schedule is not null) node["schedule"] = $"burn-in {schedule.BurnIn}, {schedule.Samples} samples every {schedule.SweepsPerSample} sweeps";
            if (parse.GetValue(json)) { Console.WriteLine(node.ToFiniteJson()); return 0; }
            Console.WriteLine($"{path}: {loaded.SpinCount} spins ({loaded.InputSpinCount} input, {loaded.PinnedSpins.Length} pinned), β = {loaded.Beta.ToString(Invariant)}, δ = {loaded.Delta.ToString(Invariant)}");
            for (int l = 0; l < loaded.Layers.Count; l++)
                Console.WriteLine($"  layer {l}: {loaded.Layers[l].Name} {loaded.Layers[l].ShapeString}{(loaded.Layers[l].IsInput ? " input" : "")}{(loaded.Bias(l) is not null ? ", bias" : "")}");
            foreach (var k in loaded.Couplings) Console.WriteLine($"  coupling: {Describe(loaded, k).ToFiniteJson()}");
            Console.WriteLine($"  colouring: {(colouring.Kind == ColouringKind.LayerParity ? "layer parity " + string.Join(" then ", colouring.LayerClasses.Select(x => "{" + string.Join(", ", x) + "}")) : $"greedy (DSATUR), {colouring.Count} colours")}");
            Console.WriteLine($"  sampler: {GibbsSampler.Create(loaded).Representation}{(layered ? "" : $" (layered samplers: no, {why})")}");
            if (schedule is not null) Console.WriteLine($"  recommended schedule: {node["schedule"]}");
            return 0;
        });
    }

    static JsonObject Describe(IsingProgram p, Coupling c) => c switch
    {
        DenseCoupling d => new JsonObject { ["kind"] = "dense", ["lower"] = d.Lower, ["upper"] = d.Upper, ["scale"] = p.CouplingScale(d) },
        ConvCoupling v => new JsonObject { ["kind"] = "conv", ["lower"] = v.Lower, ["upper"] = v.Upper, ["kernel"] = v.Kernel, ["stride"] = v.Stride, ["padding"] = v.Padding, ["scale"] = p.CouplingScale(v) },
        SparseCoupling s => new JsonObject { ["kind"] = "sparse", ["pairs"] = s.I.Length },
        _ => new JsonObject { ["kind"] = c.Kind.ToString().ToLowerInvariant() },
    };

    /// <summary>Every file of the program set <c>--out NAME.json</c> names: NAME.json, NAME.blockK.json and their tensor files.</summary>
    static IEnumerable<string> ProgramSet(string outPath)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(outPath))!;
        if (!Directory.Exists(dir)) return [];
        var pattern = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(Path.GetFileNameWithoutExtension(outPath)) + @"(\.block[0-9]+)?\.(json|safetensors)$");
        return Directory.EnumerateFiles(dir).Where(f => pattern.IsMatch(Path.GetFileName(f))).ToList();
    }

    static Command Compile()
    {
        var model = new Option<string>("--model") { Description = "checkpoint written by `thermo train` (.safetensors)", Required = true };
        var output = new Option<string>("--out") { Description = "program file to write (NAME.json; an ising-blocks model writes NAME.block0.json, NAME.block1.json, ...), or, for an ising-blocks model, a directory: the compiled network that `thermo eval --model DIR --mode gibbs` runs", Required = true };
        var couplingType = new Option<string>("--couplings") { Description = "coupling storage: f32, or i8 (8-bit integers with one scale per tensor: the 8-bit program, a quarter of the size)", DefaultValueFactory = _ => "f32" };
        var beta = new Option<float>("--beta") { Description = "inverse temperature β (digital models)", DefaultValueFactory = _ => 1f }.Above(0f, 1e6f);
        var delta = new Option<float>("--delta") { Description = "temperature gradient δ (digital models; ising-blocks models carry their own)", DefaultValueFactory = _ => 1f }.Above(0f, 1e6f);
        var force = CommonOptions.Force();
        var json = CommonOptions.Json();
        var command = new Command("compile", """
            Compile a trained checkpoint into Ising program files. Digital networks (Linear/Conv2d with Tanh, HardTanh
            or SignSte, batch norm, average pooling) become one layered program; ising-blocks models become one
            program per block. Layers without an Ising mapping (ReLU, max pooling, ...) are refused by name.
            An --out without .json writes a compiled network directory (network.json + blockK.json/.safetensors): the
            programs with the input code and readout, evaluated without the checkpoint. --couplings i8 stores 8-bit
            couplings (the quantisation table in docs/results.md: 8 bits cost nothing).
            An existing program set of the same NAME (or a non-empty network directory) is refused unless --force; then
            the new set replaces the whole old one as a unit, including NAME.blockK files of a deeper model.

            Examples:
              thermo ising compile --model runs/mnist/model.safetensors --out programs/mnist.json
              thermo ising compile --model runs/mnist/model.safetensors --out models/mnist --couplings i8
            """) { model, output, beta, delta, couplingType, force, json };
        return command.WithAction(parse =>
        {
            string checkpoint = parse.GetValue(model)!, outPath = parse.GetValue(output)!;
            var dtype = parse.GetValue(couplingType)!.ToLowerInvariant() switch
            {
                "f32" => SafetensorsDType.F32,
                "i8" => SafetensorsDType.I8,
                var other => throw new ArgumentException($"--couplings '{other}': use f32 or i8"),
            };
            bool network = !outPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
            string checkpointFull = Path.GetFullPath(checkpoint);
            if (network && checkpointFull.StartsWith(Path.GetFullPath(outPath) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new ArgumentException($"--out '{outPath}' would replace the directory holding '{checkpoint}', the checkpoint given as --model; choose another directory");
            if (!network)
                foreach (var f in ProgramSet(outPath).Append(Path.GetFullPath(TensorManifest.TensorsPathFor(outPath))))
                    if (Path.GetFullPath(f) == checkpointFull)
                        throw new ArgumentException($"--out '{outPath}' would replace '{checkpoint}', the checkpoint given as --model; choose another program name");
            // Every file of an older set under this name (a deeper model leaves NAME.block5.*) is replaced or removed with the new set.
            using var files = network
                ? CommandOutput.Directory(outPath, parse.GetValue(force))
                : CommandOutput.Files(parse.GetValue(force), [outPath, TensorManifest.TensorsPathFor(outPath)], ProgramSet(outPath));
            var meta = Checkpoint.ReadMetadata(checkpoint);
            if (meta.ModelDefinition is null) throw new InvalidDataException($"checkpoint '{checkpoint}' has no model definition, so its network cannot be rebuilt");
            var spec = ModelSpec.Parse(meta.ModelDefinition, $"checkpoint '{checkpoint}' model definition");
            var net = spec.Build();
            Checkpoint.Restore(checkpoint, net);
            net.Eval();
            if (network)
            {
                if (net is not IsingBlockNet blockNet)
                    throw new ArgumentException($"--out '{outPath}' names a network directory, which is for ising-blocks models; for this digital model give a NAME.json program file");
                var compiled = CompiledBlockNet.From(blockNet, spec.Name, TrainingRun.DatasetOf(meta), spec.Input,
                    spec.Normalization ?? Data.Normalization.UnitRange, Provenance.FileSha256(checkpoint));
                CompiledBlockNetFile.Save(files.Path, compiled, dtype);
                files.Commit();
                long bytes = Directory.EnumerateFiles(outPath).Sum(f => new FileInfo(f).Length);
                if (parse.GetValue(json))
                    Console.WriteLine(new JsonObject
                    {
                        ["model"] = spec.Name, ["network"] = outPath, ["blocks"] = compiled.Programs.Count, ["couplings"] = dtype.HeaderName(), ["bytes"] = bytes,
                    }.ToFiniteJson());
                else Console.WriteLine($"wrote {outPath}: {compiled.Programs.Count} block programs, {dtype.HeaderName()} couplings, {bytes / 1e6:F2} MB");
                return 0;
            }
            IReadOnlyList<IsingProgram> programs = net is IsingBlockNet blocks
                ? BlockCompiler.Compile(blocks)
                : [new IsingCompiler { Beta = parse.GetValue(beta), Delta = parse.GetValue(delta) }.Compile(net, spec.Input)];
            var paths = programs.Count == 1 ? [outPath] : programs.Select((_, b) => Path.ChangeExtension(outPath, $".block{b}.json")).ToArray();
            for (int b = 0; b < programs.Count; b++) IsingProgramFile.Save(files.StagedFile(paths[b]), programs[b], couplings: dtype);
            files.Commit();
            if (parse.GetValue(json))
                Console.WriteLine(new JsonObject
                {
                    ["model"] = spec.Name,
                    ["programs"] = new JsonArray(paths.Select((p, b) => (JsonNode)new JsonObject { ["path"] = p, ["spins"] = programs[b].SpinCount, ["layers"] = programs[b].Layers.Count }).ToArray()),
                }.ToFiniteJson());
            else
                for (int b = 0; b < programs.Count; b++)
                    Console.WriteLine($"wrote {paths[b]}: {programs[b]}");
            return 0;
        });
    }
}
