using System.CommandLine;
using System.Text.Json.Nodes;
using Thermo.Blocks;
using Thermo.IO;
using Thermo.Training;

namespace Thermo.Cli.Commands;

/// <summary>
/// <c>thermo quantize</c>: holds a thermodynamic model's couplings at fewer bits and/or removes the smallest ones,
/// optionally fine-tuning through the quantised couplings, and writes a new checkpoint.
/// </summary>
public static class QuantizeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "checkpoint of a thermodynamic (ising-blocks) model", Required = true };
        var bits = new Option<int>("--bits") { Description = "bits per coupling (symmetric, one scale per coupling tensor; 32 = float)", DefaultValueFactory = _ => 8 }.Within(2, 32);
        var sparsity = new Option<float>("--sparsity") { Description = "fraction of smallest-magnitude couplings removed per tensor, e.g. 0.5", DefaultValueFactory = _ => 0f }.Within(0f, 0.999f);
        var epochs = new Option<int>("--finetune-epochs") { Description = "quantisation-aware fine-tuning epochs (0: quantise only)", DefaultValueFactory = _ => 0 }.Within(0, 100_000);
        var lr = new Option<float>("--lr") { Description = "fine-tuning learning rate", DefaultValueFactory = _ => 3e-4f }.Above(0f, float.MaxValue);
        var output = new Option<string>("--out") { Description = "run directory for the new checkpoint", Required = true };
        var dataset = new Option<string?>("--dataset") { Description = "fine-tuning data (default: the model's dataset)" };
        var seed = new Option<ulong>("--seed") { Description = "fine-tuning seed", DefaultValueFactory = _ => 1 }.Within(0UL, ulong.MaxValue);
        var dataDir = CommonOptions.DataDir();
        var quiet = new Option<bool>("--quiet") { Description = "no progress output" };
        var force = CommonOptions.Force();
        var json = CommonOptions.Json();
        var cmd = new Command("quantize", """
            Prepare a thermodynamic model for hardware with limited coupling precision: batch norm is folded into
            the couplings, the smallest --sparsity fraction of each coupling tensor is removed, and the rest are
            held at --bits bits (fields stay float). With --finetune-epochs the network is trained further through
            the quantised couplings (straight-through gradients). Evaluate the result with `thermo eval --mode gibbs`.

            Example:
              thermo quantize --model runs/mnist/model.safetensors --bits 4 --sparsity 0.5 --finetune-epochs 1 --out runs/mnist-4bit
            """) { model, bits, sparsity, epochs, lr, output, dataset, seed, dataDir, quiet, force, json };
        cmd.WithAction(parse =>
        {
            using var run = CommandOutput.Directory(parse.GetValue(output)!, parse.GetValue(force));
            var (spec, net, meta) = TrainingRun.Load(parse.GetValue(model)!);
            if (net is not IsingBlockNet blocks) throw new ArgumentException("quantize applies to thermodynamic (ising-blocks) models");
            if (blocks.Quantization is not null) throw new ArgumentException("this checkpoint is already quantised; start from the float model");
            int bitCount = parse.GetValue(bits);
            float sparsityFraction = parse.GetValue(sparsity);
            BlockQuantizer.Prepare(blocks, bitCount, sparsityFraction);
            var qspec = spec.WithQuantization(bitCount, sparsityFraction);
            string dir = run.Path;
            string checkpoint = Path.Combine(dir, TrainingRun.CheckpointName);
            int fineTuneEpochs = parse.GetValue(epochs);
            bool asJson = parse.GetValue(json), silent = parse.GetValue(quiet);
            if (fineTuneEpochs > 0)
            {
                string ds = parse.GetValue(dataset) ?? TrainingRun.DatasetOf(meta)
                    ?? throw new ArgumentException("the checkpoint does not name its dataset: pass --dataset");
                var options = new TrainingRunOptions
                {
                    Start = (qspec, blocks), Dataset = ds, DataDirectory = parse.GetValue(dataDir), OutputDirectory = dir, Seed = parse.GetValue(seed),
                    Options = new TrainOptions { Epochs = fineTuneEpochs, LearningRate = parse.GetValue(lr), WeightDecay = 0f, WarmupEpochs = 0.05f },
                };
                ProgressView.Run($"fine-tune {bitCount}-bit", silent, asJson, progress => TrainingRun.Execute(options, progress));
            }
            else
            {
                Checkpoint.Save(checkpoint, blocks, null, new CheckpointMetadata { ModelDefinition = qspec.ToJson(), Training = meta.Training, Provenance = meta.Provenance });
            }
            run.Commit();
            checkpoint = run.Published(checkpoint);
            var summary = new JsonObject { ["checkpoint"] = checkpoint, ["bits"] = bitCount, ["sparsity"] = sparsityFraction, ["finetune_epochs"] = fineTuneEpochs };
            Console.WriteLine(asJson ? summary.ToFiniteJson() : $"wrote {checkpoint}: couplings at {bitCount} bits, {sparsityFraction:P0} removed, {fineTuneEpochs} fine-tuning epoch(s)");
            return 0;
        });
        return cmd;
    }
}
