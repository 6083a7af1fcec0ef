using Thermo.Blocks;

namespace Thermo.Cli.Commands;

/// <summary>
/// What a <c>thermo schedule</c> command works on: the model's name, its block pipeline (from a checkpoint or a compiled
/// network), and the test examples' first-block inputs and labels.
/// </summary>
internal sealed record ScheduleExamples(string ModelName, BlockPipeline Pipeline, sbyte[] Inputs, int[] Labels, int Start, string Dataset);
