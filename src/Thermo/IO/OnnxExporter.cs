using Thermo.Nn;
using A = Thermo.IO.OnnxGraph.Attribute;

namespace Thermo.IO;

/// <summary>
/// Exports the inference behaviour of a digital network (<see cref="Module"/> tree) as an ONNX model
/// (opset <see cref="Opset"/>, IR version <see cref="IrVersion"/>), written directly as protobuf. Batch norm
/// uses its running statistics and dropout is the identity, as in evaluation mode. Initializers keep the
/// state-dict names ("features.0.weight"); the graph has one input "input" and one output "output".
/// Mapping (docs/formats.md): Linear → Gemm (Flatten first for rank ≠ 2), Conv2d → Conv,
/// BatchNorm → BatchNormalization, AvgPool2d → AveragePool, MaxPool2d → MaxPool, GlobalAvgPool → GlobalAveragePool + Flatten,
/// Flatten → Flatten, Tanh → Tanh, HardTanh → Clip(−1, 1), Relu → Relu,
/// SignSte → Where(x ≥ 0, 1, −1) (ONNX Sign maps 0 to 0, Thermo to +1), Dropout → Identity,
/// Residual → Add, Sequential → its layers in order. Anything else is refused, naming the layer.
/// </summary>
public static class OnnxExporter
{
    /// <summary>ONNX operator set used.</summary>
    public const int Opset = 17;
    /// <summary>ONNX IR version written.</summary>
    public const long IrVersion = 8;
    /// <summary>Graph input and output names.</summary>
    public const string InputName = "input", OutputName = "output";

    /// <summary>
    /// Builds the ONNX model for <paramref name="model"/> applied to inputs of <paramref name="inputShape"/>
    /// (batch first). With <paramref name="dynamicBatch"/> the first dimension is symbolic ("batch").
    /// Throws <see cref="NotSupportedException"/> for layers without a mapping and <see cref="ArgumentException"/>
    /// when shapes do not fit; both name the layer by its dotted path.
    /// </summary>
    public static byte[] Export(Module model, ReadOnlySpan<int> inputShape, bool dynamicBatch = true, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (inputShape.Length < 2) throw new ArgumentException($"input shape needs a batch dimension and at least one more, got [{string.Join(", ", inputShape.ToArray())}]", nameof(inputShape));
        foreach (int d in inputShape)
            if (d <= 0) throw new ArgumentException($"input shape dimensions must be positive, got [{string.Join(", ", inputShape.ToArray())}]", nameof(inputShape));
        var graph = new OnnxGraph();
        var shape = inputShape.ToArray();
        string input = graph.Reserve(InputName);
        var exporter = new Walker(graph);
        string output = exporter.Emit(model, "", input, ref shape);
        graph.NameOutput(output, OutputName);
        return graph.Serialize(InputName, inputShape.ToArray(), OutputName, shape, dynamicBatch, Opset, IrVersion,
            Provenance.CurrentThermoVersion, metadata, model.GetType().Name);
    }

    /// <summary>Exports and writes the model to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, Module model, ReadOnlySpan<int> inputShape, bool dynamicBatch = true, IReadOnlyDictionary<string, string>? metadata = null) =>
        AtomicFile.WriteAllBytes(path, Export(model, inputShape, dynamicBatch, metadata));

    sealed class Walker(OnnxGraph g)
    {
        string? minusOne, one, zero;

        string Const(ref string? slot, string name, float value) => slot ??= g.AddInitializer(name, [], [value]);

        static string Where(string path) => path.Length == 0 ? "the model" : $"layer '{path.TrimEnd('.')}'";

        static string Hint(string path, string op) => (path.Length == 0 ? "" : path) + op;

        public string Emit(Module m, string path, string x, ref int[] shape)
        {
            switch (m)
            {
                case Sequential seq:
                    foreach (var (name, child) in seq.Children) x = Emit(child, path + name + ".", x, ref shape);
                    return x;

                case Residual res:
                {
                    var bodyShape = shape;
                    string body = Emit(res.Body, path + "body.", x, ref bodyShape);
                    var shortShape = shape;
                    string shortcut = res.Shortcut is null ? x : Emit(res.Shortcut, path + "shortcut.", x, ref shortShape);
                    if (!bodyShape.AsSpan().SequenceEqual(shortShape))
                        throw new ArgumentException($"ONNX export: {Where(path)}: body gives {Spell(bodyShape)}, shortcut gives {Spell(shortShape)}");
                    shape = bodyShape;
                    return g.AddNode("Add", Hint(path, "add"), [body, shortcut]);
                }

                case Linear lin:
                {
                    if (shape.Length != 2) x = EmitFlatten(path, x, ref shape);
                    if (shape[1] != lin.InFeatures)
                        throw new ArgumentException($"ONNX export: {Where(path)} {lin.Describe()} gets {shape[1]} features (input {Spell(shape)})");
                    string w = g.AddInitializer(path + "weight", lin.Weight.Shape, lin.Weight.Data);
                    string[] inputs = lin.Bias is null ? [x, w] : [x, w, g.AddInitializer(path + "bias", lin.Bias.Shape, lin.Bias.Data)];
                    shape = [shape[0], lin.OutFeatures];
                    return g.AddNode("Gemm", Hint(path, "gemm"), inputs, new A("transB", Int: 1));
                }

                case Conv2d conv:
                {
                    if (shape.Length != 4 || shape[1] != conv.InChannels)
                        throw new ArgumentException($"ONNX export: {Where(path)} {conv.Describe()} needs [N, {conv.InChannels}, H, W], gets {Spell(shape)}");
                    int oh = (shape[2] + 2 * conv.Padding - conv.Kernel) / conv.Stride + 1, ow = (shape[3] + 2 * conv.Padding - conv.Kernel) / conv.Stride + 1;
                    if (oh <= 0 || ow <= 0) throw new ArgumentException($"ONNX export: {Where(path)} {conv.Describe()} does not fit input {Spell(shape)}");
                    string w = g.AddInitializer(path + "weight", conv.Weight.Shape, conv.Weight.Data);
                    string[] inputs = conv.Bias is null ? [x, w] : [x, w, g.AddInitializer(path + "bias", conv.Bias.Shape, conv.Bias.Data)];
                    shape = [shape[0], conv.OutChannels, oh, ow];
                    long k = conv.Kernel, s = conv.Stride, p = conv.Padding;
                    return g.AddNode("Conv", Hint(path, "conv"), inputs,
                        new A("kernel_shape", Ints: [k, k]), new A("strides", Ints: [s, s]), new A("pads", Ints: [p, p, p, p]),
                        new A("dilations", Ints: [1, 1]), new A("group", Int: conv.Groups));
                }

                case BatchNorm bn:
                {
                    if (shape.Length < 2 || shape[1] != bn.Channels)
                        throw new ArgumentException($"ONNX export: {Where(path)} {bn.Describe()} needs [N, {bn.Channels}, ...], gets {Spell(shape)}");
                    string[] inputs =
                    [
                        x,
                        g.AddInitializer(path + "weight", bn.Gamma.Shape, bn.Gamma.Data),
                        g.AddInitializer(path + "bias", bn.Beta.Shape, bn.Beta.Data),
                        g.AddInitializer(path + "running_mean", bn.RunningMean.Shape, bn.RunningMean.Data),
                        g.AddInitializer(path + "running_var", bn.RunningVar.Shape, bn.RunningVar.Data),
                    ];
                    // ONNX momentum weighs the old running value (PyTorch's is the new one's weight).
                    return g.AddNode("BatchNormalization", Hint(path, "bn"), inputs, new A("epsilon", Float: bn.Eps), new A("momentum", Float: 1f - bn.Momentum));
                }

                case AvgPool2d pool:
                {
                    if (shape.Length != 4) throw new ArgumentException($"ONNX export: {Where(path)} {pool.Describe()} needs [N, C, H, W], gets {Spell(shape)}");
                    int oh = (shape[2] - pool.Kernel) / pool.Stride + 1, ow = (shape[3] - pool.Kernel) / pool.Stride + 1;
                    if (pool.Kernel <= 0 || oh <= 0 || ow <= 0) throw new ArgumentException($"ONNX export: {Where(path)} {pool.Describe()} does not fit input {Spell(shape)}");
                    shape = [shape[0], shape[1], oh, ow];
                    long k = pool.Kernel, s = pool.Stride;
                    return g.AddNode("AveragePool", Hint(path, "avgpool"), [x], new A("kernel_shape", Ints: [k, k]), new A("strides", Ints: [s, s]));
                }

                case MaxPool2d pool:
                {
                    if (shape.Length != 4) throw new ArgumentException($"ONNX export: {Where(path)} {pool.Describe()} needs [N, C, H, W], gets {Spell(shape)}");
                    int oh = (shape[2] - pool.Kernel) / pool.Stride + 1, ow = (shape[3] - pool.Kernel) / pool.Stride + 1;
                    if (pool.Kernel <= 0 || oh <= 0 || ow <= 0) throw new ArgumentException($"ONNX export: {Where(path)} {pool.Describe()} does not fit input {Spell(shape)}");
                    shape = [shape[0], shape[1], oh, ow];
                    long k = pool.Kernel, s = pool.Stride;
                    return g.AddNode("MaxPool", Hint(path, "maxpool"), [x], new A("kernel_shape", Ints: [k, k]), new A("strides", Ints: [s, s]));
                }

                case GlobalAvgPool:
                {
                    if (shape.Length != 4) throw new ArgumentException($"ONNX export: {Where(path)} GlobalAvgPool needs [N, C, H, W], gets {Spell(shape)}");
                    string pooled = g.AddNode("GlobalAveragePool", Hint(path, "gap"), [x]);
                    shape = [shape[0], shape[1], 1, 1];
                    return EmitFlatten(path, pooled, ref shape);
                }

                case Flatten:
                    return EmitFlatten(path, x, ref shape);

                case Tanh:
                    return g.AddNode("Tanh", Hint(path, "tanh"), [x]);

                case Relu:
                    return g.AddNode("Relu", Hint(path, "relu"), [x]);

                case HardTanh:
                    return g.AddNode("Clip", Hint(path, "clip"), [x, Const(ref minusOne, "const_minus_one", -1f), Const(ref one, "const_one", 1f)]);

                case SignSte:
                {
                    string nonNegative = g.AddNode("GreaterOrEqual", Hint(path, "nonneg"), [x, Const(ref zero, "const_zero", 0f)]);
                    return g.AddNode("Where", Hint(path, "sign"), [nonNegative, Const(ref one, "const_one", 1f), Const(ref minusOne, "const_minus_one", -1f)]);
                }

                case Dropout:
                    return g.AddNode("Identity", Hint(path, "dropout"), [x]);

                default:
                    throw new NotSupportedException(
                        $"ONNX export: {Where(path)} is a {m.GetType().Name} ({m.Describe()}), which has no ONNX mapping; supported: " +
                        "Sequential, Residual, Linear, Conv2d, BatchNorm, AvgPool2d, MaxPool2d, GlobalAvgPool, Flatten, Tanh, HardTanh, Relu, SignSte, Dropout");
            }
        }

        string EmitFlatten(string path, string x, ref int[] shape)
        {
            long rest = 1;
            for (int i = 1; i < shape.Length; i++) rest *= shape[i];
            shape = [shape[0], checked((int)rest)];
            return g.AddNode("Flatten", Hint(path, "flatten"), [x], new A("axis", Int: 1));
        }

        static string Spell(int[] shape) => $"[{string.Join(", ", shape)}]";
    }
}
