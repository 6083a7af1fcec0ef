using System.Text.Json.Nodes;
using Thermo.IO;
using Thermo.Ising;

namespace Thermo.Sampling;

/// <summary>
/// An Ising program file (<see cref="IsingProgramFile"/>) with a recommended <see cref="Schedule"/>: the program
/// says what the machine is, the schedule how long to run it. The schedule is written here, not by the Ising layer,
/// so that programs stay below sampling in the layer order (docs/architecture.md).
/// </summary>
public static class ScheduledProgramFile
{
    /// <summary>Writes <paramref name="program"/> and, when given, its recommended <paramref name="schedule"/>.</summary>
    public static void Save(string manifestPath, IsingProgram program, Schedule? schedule, SafetensorsDType couplings = SafetensorsDType.F32) =>
        IsingProgramFile.Save(manifestPath, program, couplings, schedule is null ? null : ToJson(schedule));

    /// <summary>Reads a program and its recommended schedule (null when the file has none).</summary>
    public static (IsingProgram Program, Schedule? Schedule) Load(string manifestPath) => IsingProgramFile.Load(manifestPath, FromJson);

    static JsonObject ToJson(Schedule schedule) => new()
    {
        ["burn_in"] = schedule.BurnIn, ["samples"] = schedule.Samples, ["sweeps_per_sample"] = schedule.SweepsPerSample,
        ["anneal_start"] = schedule.AnnealStart, ["anneal_sweeps"] = schedule.AnnealSweeps,
    };

    static Schedule FromJson(JsonObject node) =>
        new(Int(node, "burn_in"), Int(node, "samples"), Int(node, "sweeps_per_sample"),
            node["anneal_start"] is JsonValue a && a.TryGetValue(out float af) ? af : 1f, node["anneal_sweeps"] is null ? 0 : Int(node, "anneal_sweeps"));

    static int Int(JsonObject node, string key) =>
        node[key] is JsonValue v && v.TryGetValue(out int i) ? i : throw new ArgumentException($"'{key}' must be an integer");
}
