using System.Text.Json.Nodes;
using Thermo.IO;
using Thermo.Tests.Training;
using Thermo.Training;

namespace Thermo.Tests.Cli.Commands;

/// <summary>
/// One schedule end to end: what `thermo schedule` chooses, `thermo eval --schedule` replays, and its accuracy is the one
/// `thermo schedule compare` measured for that schedule on the same examples, bit for bit.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ScheduleReplayTests : IDisposable
{
    readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    const string Definition = """
        {"name": "replay", "family": "ising-blocks", "input": [1, 28, 28], "classes": 10, "binarize": 0.5, "delta": 0.5, "population": 2,
         "blocks": [{"hidden": {"type": "linear", "out": 12}, "output": {"type": "linear", "out": 8}},
                    {"hidden": {"type": "linear", "out": 8}, "output": {"type": "linear"}}]}
        """;

    string Checkpoint()
    {
        var spec = ModelSpec.Parse(Definition);
        var net = spec.Build();
        net.Initialize(5);
        string path = dir.File("replay.safetensors");
        Thermo.IO.Checkpoint.Save(path, net, null, new CheckpointMetadata { ModelDefinition = spec.ToJson(), Training = new TrainingState() });
        return path;
    }

    static JsonNode Json(params string[] args)
    {
        var r = InProcessCli.Run(args);
        Assert.True(r.Exit == 0, $"thermo {string.Join(' ', args)} → exit {r.Exit}: {r.Err}");
        return JsonNode.Parse(r.Out)!;
    }

    [Fact]
    public void Eval_replays_the_chosen_schedule_and_measures_what_compare_measured()
    {
        string model = Checkpoint(), data = SyntheticDigits.Write(dir.File("data"), train: 16, test: 40);
        const int examples = 24;
        // Both commands fit the same pilot (same examples, grid, draws, pilot samples, burn-in and seed).
        string[] pilot = ["--model", model, "--dataset", data, "--examples", $"{examples}", "--grid", "1,3", "--draws", "2", "--pilot-samples", "8",
            "--burn-in", "3", "--seed", "7", "--target-accuracy", "0.02", "--threads", "1", "--json"];

        var chosen = Json(["schedule", .. pilot]);
        string schedule = chosen["schedule"]!.GetValue<string>();
        Assert.Equal(2, schedule.Split(',').Length);
        Assert.Equal(schedule, string.Join(",", chosen["samples"]!.AsArray().Zip(chosen["burn_in"]!.AsArray(), (g, t) => $"{g}/{t}")));
        // The optimiser gives the last block its own burn-in, which a single --burn-in could not express.
        Assert.NotEqual(chosen["burn_in"]![0]!.GetValue<int>(), chosen["burn_in"]![1]!.GetValue<int>());

        var compared = Json(["schedule", "compare", .. pilot, "--uniform", "1,3", "--epsilons", "0.3"]);
        var measured = compared["points"]!.AsArray().Single(p => p!["method"]!.GetValue<string>() == "optimal" && p["label"]!.GetValue<string>() == schedule)!;

        var replayed = Json("eval", "--model", model, "--dataset", data, "--mode", "gibbs", "--schedule", schedule, "--seed", "7",
            "--limit", $"{examples}", "--threads", "1", "--json");
        Assert.Equal(examples, replayed["count"]!.GetValue<int>());
        Assert.Equal(measured["accuracy"]!.GetValue<double>(), replayed["accuracy"]!.GetValue<double>());
        Assert.Equal(measured["cost"]!.GetValue<double>(), replayed["spin_updates"]!.AsArray().Sum(u => u!.GetValue<long>()) / (double)examples);
    }
}
