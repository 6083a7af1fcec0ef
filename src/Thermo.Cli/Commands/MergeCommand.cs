using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Thermo.IO;
using Thermo.Training;
using Thermo.Evaluation;

namespace Thermo.Cli.Commands;

/// <summary><c>thermo merge</c>: combines shard outputs (by their "kind") into the result of the unsharded run.</summary>
public static class MergeCommand
{
    /// <summary>Merge functions by document kind; other command groups register theirs here.</summary>
    public static Dictionary<string, Func<IReadOnlyList<(string Source, JsonObject Doc)>, JsonObject>> Kinds { get; } = new()
    {
        ["eval"] = EvalShards.Merge,
        [Thermo.Analysis.CurveShards.Kind] = Thermo.Analysis.CurveShards.Merge,
        [ScheduleCompareCommand.CompareKind] = ScheduleCompareCommand.Merge,
    };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var inputs = new Argument<string[]>("shards") { Description = "shard outputs (JSON) written with --out by a sharded command", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--out") { Description = "write the merged JSON here (default: stdout)" };
        var force = CommonOptions.Force();
        var cmd = new Command("merge", """
            Merge the outputs of a sharded run (e.g. `thermo eval --shard i/N --out sI.json`) into the result of
            the unsharded run: bit-identical, because randomness is keyed by example, never by shard or thread.

            Example:
              thermo merge s0.json s1.json --out all.json
            """) { inputs, output, force };
        cmd.WithAction(parse =>
        {
            using var outFile = CommandOutput.OptionalFile(parse.GetValue(output), parse.GetValue(force));
            var docs = new List<(string, JsonObject)>();
            foreach (var path in parse.GetValue(inputs)!)
            {
                if (!File.Exists(path)) throw new FileNotFoundException($"shard output '{path}' not found");
                JsonNode? node;
                node = JsonInput.ReadFile(path, path);
                if (node is not JsonObject o || o["kind"] is not JsonValue k || k.GetValueKind() != JsonValueKind.String) throw new InvalidDataException($"{path}: not a Thermo shard output (no \"kind\")");
                docs.Add((path, o));
            }
            string kind = docs[0].Item2["kind"]!.GetValue<string>();
            if (docs.Any(d => d.Item2["kind"]!.GetValue<string>() != kind)) throw new InvalidDataException("the shard outputs are of different kinds");
            if (!Kinds.TryGetValue(kind, out var merge)) throw new InvalidDataException($"cannot merge outputs of kind '{kind}' (known: {string.Join(", ", Kinds.Keys)})");
            JsonObject merged;
            try { merged = merge(docs); }
            catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or KeyNotFoundException)
            {
                // A field missing or of another type: the file says it is a shard output but is not a whole one.
                throw new InvalidDataException($"the shard outputs of kind '{kind}' are not complete ({(e is NullReferenceException ? "a field is missing" : JsonInput.Message(e))}); were they edited or cut short?");
            }
            string text = merged.ToFiniteJson();
            if (parse.GetValue(output) is string o2) outFile!.PublishText(o2, text);
            else Console.WriteLine(text);
            return 0;
        });
        return cmd;
    }
}
