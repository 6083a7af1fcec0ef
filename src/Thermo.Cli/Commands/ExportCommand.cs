using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Thermo.IO;
using Thermo.Training;

namespace Thermo.Cli.Commands;

/// <summary>
/// <c>thermo export onnx --model checkpoint.safetensors --out model.onnx</c>: rebuilds the digital network from
/// the checkpoint's model definition, loads its weights and writes ONNX (opset 17) for other runtimes.
/// </summary>
public static class ExportCommand
{
    /// <summary>Builds the command group.</summary>
    public static Command Create()
    {
        var export = new Command("export", "export trained networks for other runtimes (ONNX)");
        var model = new Option<string>("--model") { Description = "checkpoint written by `thermo train` (.safetensors)", Required = true };
        var output = new Option<string>("--out") { Description = "ONNX file to write", Required = true };
        var batch = new Option<int>("--batch") { Description = "batch size recorded in the graph (symbolic unless --static-batch)", DefaultValueFactory = _ => 1 }.Within(1, 1 << 20);
        var staticBatch = new Option<bool>("--static-batch") { Description = "fix the batch dimension to --batch instead of leaving it symbolic" };
        var force = CommonOptions.Force();
        var json = CommonOptions.Json();
        var onnx = new Command("onnx", """
            Export a digital network to ONNX (opset 17): batch norm in evaluation mode, dropout as identity,
            sign as x >= 0 ? 1 : -1. The input is "input" [batch, C, H, W] (or [batch, features]), the output
            "output" [batch, classes]. See docs/formats.md for the operator mapping.
            """) { model, output, batch, staticBatch, force, json };
        onnx.WithAction(parse => ExportOnnx(parse.GetValue(model)!, parse.GetValue(output)!, parse.GetValue(batch), parse.GetValue(staticBatch), parse.GetValue(json), parse.GetValue(force)));
        export.Subcommands.Add(onnx);
        return export;
    }

    /// <summary>The body of <c>thermo export onnx</c>; returns the exit code.</summary>
    public static int ExportOnnx(string checkpoint, string output, int batch, bool staticBatch, bool json, bool force = false)
    {
        if (batch < 1) throw new ArgumentException($"--batch must be at least 1, got {batch}");
        using var file = CommandOutput.Files(force, [output]);
        var meta = Checkpoint.ReadMetadata(checkpoint);
        if (meta.ModelDefinition is null)
            throw new InvalidDataException($"checkpoint '{checkpoint}' has no model definition, so its network cannot be rebuilt");
        var spec = ModelSpec.Parse(meta.ModelDefinition, $"checkpoint '{checkpoint}' model definition");
        if (spec.Family != ModelFamily.Digital)
            throw new NotSupportedException($"ONNX export covers digital networks; '{checkpoint}' holds an {spec.FamilyName} model, which runs by Gibbs sampling");
        var net = spec.Build();
        Checkpoint.Restore(checkpoint, net);
        net.Eval();
        int[] inputShape = [batch, .. spec.Input];
        var metadata = new Dictionary<string, string>
        {
            ["thermo.model"] = spec.Name,
            ["thermo.classes"] = spec.Classes.ToString(CultureInfo.InvariantCulture),
            ["thermo.checkpoint"] = Path.GetFileName(checkpoint),
            ["thermo.step"] = meta.Training.Step.ToString(CultureInfo.InvariantCulture),
        };
        OnnxExporter.Save(file.StagedFile(output), net, inputShape, dynamicBatch: !staticBatch, metadata);
        file.Commit();
        long bytes = new FileInfo(output).Length;
        if (json)
        {
            Console.WriteLine(new JsonObject
            {
                ["out"] = output,
                ["model"] = spec.Name,
                ["input"] = new JsonArray(inputShape.Select(d => (JsonNode)d).ToArray()),
                ["dynamic_batch"] = !staticBatch,
                ["parameters"] = net.ParameterCount(),
                ["opset"] = OnnxExporter.Opset,
                ["bytes"] = bytes,
            }.ToFiniteJson());
        }
        else
        {
            Console.WriteLine($"wrote {output}: {spec.Name}, {net.ParameterCount():N0} parameters, input [{(staticBatch ? batch.ToString(CultureInfo.InvariantCulture) : "batch")}, {string.Join(", ", spec.Input)}], opset {OnnxExporter.Opset}, {bytes:N0} bytes");
        }
        return 0;
    }
}
