using System.Runtime.InteropServices;

namespace Thermo.IO;

/// <summary>
/// An ONNX graph under construction (nodes, float initializers, one input and one output) and its
/// serialisation as a ModelProto. Field numbers follow onnx.proto (IR version 8).
/// </summary>
internal sealed class OnnxGraph
{
    internal sealed record Attribute(string Name, long? Int = null, long[]? Ints = null, float? Float = null);
    sealed record Node(string OpType, string Name, string[] Inputs, string[] Outputs, Attribute[] Attributes);
    sealed record Initializer(string Name, long[] Dims, float[] Data);

    readonly List<Node> nodes = new();
    readonly List<Initializer> initializers = new();
    readonly HashSet<string> names = new(StringComparer.Ordinal);
    int counter;

    /// <summary>A value name not used before, derived from <paramref name="hint"/>.</summary>
    public string Fresh(string hint)
    {
        string name = hint;
        while (!names.Add(name)) name = $"{hint}_{++counter}";
        return name;
    }

    /// <summary>Reserves an exact name (graph input/output, parameter); throws if taken.</summary>
    public string Reserve(string name)
    {
        if (!names.Add(name)) throw new InvalidOperationException($"ONNX export: value name '{name}' used twice");
        return name;
    }

    /// <summary>Adds a float initializer under exactly <paramref name="name"/> (the state-dict name).</summary>
    public string AddInitializer(string name, ReadOnlySpan<int> shape, float[] data)
    {
        Reserve(name);
        var dims = new long[shape.Length];
        for (int i = 0; i < dims.Length; i++) dims[i] = shape[i];
        initializers.Add(new Initializer(name, dims, data));
        return name;
    }

    /// <summary>Adds a node with one output named from <paramref name="outputHint"/>; returns the output name.</summary>
    public string AddNode(string opType, string outputHint, string[] inputs, params Attribute[] attributes)
    {
        string output = Fresh(outputHint);
        nodes.Add(new Node(opType, output, inputs, [output], attributes));
        return output;
    }

    /// <summary>Renames the value <paramref name="from"/> (produced by the last node) to <paramref name="to"/>; adds an Identity if no node produces it.</summary>
    public void NameOutput(string from, string to)
    {
        Reserve(to);
        if (nodes.Count > 0 && nodes[^1].Outputs[0] == from)
        {
            var last = nodes[^1];
            nodes[^1] = last with { Outputs = [to] };
        }
        else nodes.Add(new Node("Identity", to, [from], [to], []));
    }

    public byte[] Serialize(string inputName, int[] inputShape, string outputName, int[] outputShape, bool dynamicBatch,
        int opset, long irVersion, string producerVersion, IReadOnlyDictionary<string, string>? metadata, string graphName)
    {
        var model = new ProtoWriter();
        model.Int64(1, irVersion);                         // ir_version
        model.String(2, "thermo");                         // producer_name
        model.String(3, producerVersion);                  // producer_version
        model.Message(7, g => WriteGraph(g, inputName, inputShape, outputName, outputShape, dynamicBatch, graphName));
        model.Message(8, o => { o.String(1, ""); o.Int64(2, opset); });   // opset_import (default domain)
        if (metadata is not null)
            foreach (var (k, v) in metadata) model.Message(14, e => { e.String(1, k); e.String(2, v); });   // metadata_props
        return model.WrittenSpan.ToArray();
    }

    void WriteGraph(ProtoWriter g, string inputName, int[] inputShape, string outputName, int[] outputShape, bool dynamicBatch, string graphName)
    {
        foreach (var n in nodes) g.Message(1, w => WriteNode(w, n));                 // node
        g.String(2, graphName);                                                      // name
        foreach (var init in initializers) g.Message(5, w => WriteTensor(w, init));  // initializer
        g.Message(11, w => WriteValueInfo(w, inputName, inputShape, dynamicBatch));   // input
        g.Message(12, w => WriteValueInfo(w, outputName, outputShape, dynamicBatch)); // output
    }

    static void WriteNode(ProtoWriter w, Node n)
    {
        foreach (var i in n.Inputs) w.String(1, i);
        foreach (var o in n.Outputs) w.String(2, o);
        w.String(3, n.Name);
        w.String(4, n.OpType);
        foreach (var a in n.Attributes) w.Message(5, aw => WriteAttribute(aw, a));
    }

    static void WriteAttribute(ProtoWriter w, Attribute a)
    {
        const int Float = 1, Int = 2, Ints = 7;   // AttributeProto.AttributeType
        w.String(1, a.Name);
        if (a.Float is float f) { w.Float(2, f); w.Int64(20, Float); }
        else if (a.Int is long i) { w.Int64(3, i); w.Int64(20, Int); }
        else if (a.Ints is long[] ints) { w.RepeatedInt64(8, ints); w.Int64(20, Ints); }
        else throw new InvalidOperationException($"ONNX attribute '{a.Name}' has no value");
    }

    static void WriteTensor(ProtoWriter w, Initializer t)
    {
        const int FloatType = 1;   // TensorProto.DataType.FLOAT
        w.RepeatedInt64(1, t.Dims);                                 // dims
        w.Int64(2, FloatType);                                      // data_type
        w.String(8, t.Name);                                        // name
        w.Bytes(9, MemoryMarshal.AsBytes(t.Data.AsSpan()));         // raw_data (little-endian)
    }

    static void WriteValueInfo(ProtoWriter w, string name, int[] shape, bool dynamicBatch)
    {
        w.String(1, name);
        w.Message(2, type => type.Message(1, tensor =>                  // TypeProto.tensor_type
        {
            tensor.Int64(1, 1);                                        // elem_type FLOAT
            tensor.Message(2, s =>                                     // shape
            {
                for (int i = 0; i < shape.Length; i++)
                    s.Message(1, d =>
                    {
                        if (i == 0 && dynamicBatch) d.String(2, "batch");   // dim_param
                        else d.Int64(1, shape[i]);                          // dim_value
                    });
            });
        }));
    }
}
