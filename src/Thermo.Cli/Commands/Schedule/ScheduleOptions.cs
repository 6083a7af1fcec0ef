using System.CommandLine;
using System.Globalization;
using Thermo.Analysis;
using Thermo.Blocks;
using Thermo.Data;
using Thermo.IO;
using Thermo.Reports;
using Thermo.Training;

namespace Thermo.Cli.Commands;

/// <summary>The options every <c>thermo schedule</c> command shares, and what they load.</summary>
internal sealed class ScheduleOptions
{
    public readonly Option<string> Model = new("--model") { Description = "checkpoint of a thermodynamic (ising-blocks) model, or a compiled network directory (`thermo ising compile --out DIR`, e.g. models/cifar10)", Required = true };
    public readonly Option<string?> Dataset = new("--dataset") { Description = "dataset name or path (default: the one the model was trained on)" };
    public readonly Option<string?> DataDir = CommonOptions.DataDir();
    public readonly Option<int> Start = new Option<int>("--start") { Description = "first test example used", DefaultValueFactory = _ => 0 }.Within(0, int.MaxValue);
    public readonly Option<int> Burn = new Option<int>("--burn-in") { Description = "burn-in sweeps of every block in the pilot and the uniform baselines", DefaultValueFactory = _ => 4 }.Within(0, MaxSweeps);
    public readonly Option<int> Pool = new Option<int>("--pilot-samples") { Description = "first-block samples per pilot chain (L₀)", DefaultValueFactory = _ => 64 }.Within(1, MaxSamples);
    public readonly Option<int> Draws = new Option<int>("--draws") { Description = "pilot draws of the upstream sign-averages per example", DefaultValueFactory = _ => 8 }.Within(1, 1024);
    public readonly Option<ulong> Seed = new Option<ulong>("--seed") { Description = "measurement seed (the pilot uses its own)", DefaultValueFactory = _ => 1 }.Within(0UL, ulong.MaxValue);
    public readonly Option<string?> Out = new("--out") { Description = "write a report (report.json, .md, .html, figures) into this directory" };
    public readonly Option<bool> Force = CommonOptions.Force();
    public readonly Option<bool> Json = CommonOptions.Json();

    /// <summary>The report directory of --out, claimed before the measurement so that a refusal costs nothing.</summary>
    public CommandOutput? Claim(ParseResult parse) => parse.GetValue(Out) is string dir ? CommandOutput.Directory(dir, parse.GetValue(Force)) : null;

    public Option<int> Examples(int fallback) => new Option<int>("--examples") { Description = $"test examples used (default {fallback})", DefaultValueFactory = _ => fallback }.Within(1, int.MaxValue);

    public ScheduleExamples Load(ParseResult parse, int examples)
    {
        var (name, pipeline, trainedOn) = LoadPipeline(parse.GetValue(Model)!);
        string datasetName = parse.GetValue(Dataset) ?? trainedOn
            ?? throw new ArgumentException($"'{parse.GetValue(Model)}' does not name its dataset: pass --dataset");
        var data = DatasetCatalog.Load(datasetName, "test", new DataFetcher(parse.GetValue(DataDir)));
        DatasetCompatibility.Require(data, name, pipeline.Compiled.InputShape, pipeline.Classes);
        int start = parse.GetValue(Start);
        if (start < 0 || start >= data.Count) throw new ArgumentException($"--start {start} is outside the {data.Count} test examples");
        if (examples < 1) throw new ArgumentException($"--examples must be ≥ 1, got {examples}");
        int count = Math.Min(examples, data.Count - start);
        var inputs = pipeline.InputSpins(data.Pixels.AsSpan(start * data.ImageSize, count * data.ImageSize));
        return new ScheduleExamples(name, pipeline, inputs, data.Labels.AsSpan(start, count).ToArray(), start, datasetName);
    }

    /// <summary>
    /// The block pipeline of --model: a checkpoint of an ising-blocks model (compiled here), or a compiled network
    /// directory (<c>thermo ising compile --out DIR</c>, such as the shipped models), with the model's name and the
    /// dataset it was trained on (null when it does not say).
    /// </summary>
    public static (string Name, BlockPipeline Pipeline, string? Dataset) LoadPipeline(string path)
    {
        if (CompiledBlockNetFile.IsCompiledNetwork(path))
        {
            var compiled = CompiledBlockNetFile.Load(path);
            if (compiled.Normalization.Mean.Any(m => m != 0f) || compiled.Normalization.Std.Any(d => d != 1f))
                throw new ArgumentException($"compiled network '{path}' normalises its pixels; the schedule analyses read pixels in [0, 1] (as every ising-blocks model is trained): evaluate it with `thermo eval --mode gibbs`");
            return (compiled.Name, new BlockPipeline(compiled), compiled.Dataset);
        }
        var (spec, model, meta) = TrainingRun.Load(path);
        if (model is not IsingBlockNet net) throw new ArgumentException($"'{path}' holds a {spec.FamilyName} model; schedules are for thermodynamic (ising-blocks) models");
        return (spec.Name, new BlockPipeline(net), meta.Provenance.DatasetChecksums.Keys.Select(k => k.Split('/')[0]).FirstOrDefault());
    }

    public PilotOptions PilotOptions(ParseResult parse) => new()
    {
        PoolSamples = parse.GetValue(Pool), Draws = parse.GetValue(Draws), BurnIn = parse.GetValue(Burn),
        Seed = Randomness.Philox.Stream(parse.GetValue(Seed), StreamTag.PilotSeed),
    };

    /// <summary>
    /// Largest G (samples per block) and burn-in these commands take: the pilot and the measurements store per-sample
    /// prefix sums, and the optimiser lists every burn-in up to the given one.
    /// </summary>
    public const int MaxSamples = 65_536, MaxSweeps = 65_536;

    /// <summary>The status line progress goes to on stderr, or none with --json.</summary>
    public static StatusLine? Status(bool json) => json ? null : StatusLine.Stderr();

    /// <summary>The progress callback that shows each message on <paramref name="status"/>.</summary>
    public static Action<string>? Progress(StatusLine? status) => status is null ? null : status.Show;

    /// <summary>Comma-separated G values in [1, <see cref="MaxSamples"/>], at least one.</summary>
    public static int[] ParseList(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]) || values[i] < 1 || values[i] > MaxSamples)
                throw new ArgumentException($"{option}: '{parts[i]}' is not an integer from 1 to {MaxSamples}");
        if (values.Length == 0) throw new ArgumentException($"{option}: give at least one value");
        return values;
    }

    /// <summary>Comma-separated numbers in (0, <paramref name="max"/>]; <paramref name="max"/> is the edge of sense for the quantity (β, δ, ε).</summary>
    public static double[] ParseDoubles(string text, string option, double max) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s =>
            double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d > 0 && d <= max ? d
                : throw new ArgumentException($"{option}: '{s}' is not a number > 0 and ≤ {max.ToString(CultureInfo.InvariantCulture)}")).ToArray();

    /// <summary>Every combination of one grid value per block: the upstream paths a pilot covers.</summary>
    public static IEnumerable<int[]> UpstreamPaths(int[] grid, int blocks)
    {
        IEnumerable<int[]> acc = [[]];
        for (int b = 0; b < blocks; b++) acc = acc.SelectMany(prefix => grid.Select(g => (int[])[.. prefix, g]));
        return acc;
    }

    /// <summary>An accuracy given as a fraction (0.98) or a percentage (98), as a fraction.</summary>
    public static double Fraction(double value) => value > 1 ? value / 100 : value;
}
