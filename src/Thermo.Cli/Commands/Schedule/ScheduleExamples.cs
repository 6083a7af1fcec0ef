using Thermo.Blocks;
using Thermo.Training;

namespace Thermo.Cli.Commands;

/// <summary>What a <c>thermo schedule</c> command works on: the model, its block pipeline, and the test examples' first-block inputs and labels.</summary>
internal sealed record ScheduleExamples(ModelSpec Spec, IsingBlockNet Net, BlockPipeline Pipeline, sbyte[] Inputs, int[] Labels, int Start, string Dataset);
