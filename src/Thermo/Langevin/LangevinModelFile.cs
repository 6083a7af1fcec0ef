using System.Text.Json.Nodes;
using Thermo.IO;

namespace Thermo.Langevin;

/// <summary>
/// A trained Langevin computer on disk: a <c>thermo.langevin-computer</c> manifest (JSON: layout, coupling classes,
/// kT, J2, J4, mobility, Δt, t_f, input normalisation, readout) with its safetensors file holding one F32 tensor per
/// enabled coupling class and the biases (docs/formats.md, "Langevin computer"). The published thermo_gd
/// <c>parameters.dat</c> is <see cref="PublishedParameterFile"/>.
/// </summary>
public static class LangevinModelFile
{
    /// <summary>Manifest format name.</summary>
    public const string Format = "thermo.langevin-computer";
    /// <summary>Highest version written and read.</summary>
    public const int Version = 1;

    /// <summary>Tensor names and shapes implied by a computer's layout and classes.</summary>
    public static List<TensorSpec> Specs(LangevinComputer c)
    {
        var specs = new List<TensorSpec>();
        void Add(string name, params int[] shape) => specs.Add(new TensorSpec(name, shape, SafetensorsDType.F32));
        if (c.Has(CouplingClasses.InputInput)) Add("J.input_input", c.Inputs, 2);
        if (c.Has(CouplingClasses.InputHidden)) Add("J.input_hidden", c.Inputs, c.Hidden);
        if (c.Has(CouplingClasses.HiddenHidden)) Add("J.hidden_hidden", c.Hidden, c.Hidden);
        if (c.Has(CouplingClasses.HiddenOutput)) Add("J.hidden_output", c.Hidden, c.Outputs);
        if (c.Has(CouplingClasses.OutputOutput)) Add("J.output_output", c.Outputs, c.Outputs);
        if (c.Has(CouplingClasses.InputOutput)) Add("J.input_output", c.Inputs, c.Outputs);
        Add("b.hidden", c.Hidden);
        Add("b.output", c.Outputs);
        return specs;
    }

    /// <summary>Writes <paramref name="manifestPath"/> (.json) and its .safetensors beside it, atomically.</summary>
    public static void Save(string manifestPath, LangevinComputer c, LangevinSchedule schedule, JsonObject? training = null)
    {
        c.Enforce();
        var writer = new SafetensorsWriter();
        foreach (var spec in Specs(c)) writer.Add<float>(spec.Name, Block(c, spec.Name), spec.Shape);
        var n = c.Normalization;
        var content = new JsonObject
        {
            ["potential"] = "V(x) = sum_i (J2 x_i^2 + J4 x_i^4) + sum_i b_i x_i + sum_(i<j) J_ij x_i x_j",
            ["dynamics"] = "overdamped Langevin dx_i = -mobility dV/dx_i dt + sqrt(2 mobility kT) dW_i; inputs clamped; moving units start at 0; Euler-Maruyama with step dt",
            ["units"] = new JsonObject
            {
                ["inputs"] = c.Inputs, ["hidden"] = c.Hidden, ["outputs"] = c.Outputs, ["input_lattice_width"] = c.LatticeWidth,
                ["order"] = "inputs, then hidden, then outputs; J.<a>_<b>[i, j] couples unit i of group a with unit j of group b",
            },
            ["coupling_classes"] = new JsonArray(CouplingClassNames.Names(c.Classes).Select(s => (JsonNode)s!).ToArray()),
            ["input_input_bonds"] = "J.input_input[i, 0] couples input i with its left neighbour, [i, 1] with the one below; periodic lattice",
            ["kT"] = c.KT, ["J2"] = c.J2, ["J4"] = c.J4, ["mobility"] = c.Mobility,
            // Through decimal so that 1e-3f is written as 0.001 (its shortest float form), not 0.0010000000474974513.
            ["dt"] = (decimal)schedule.Dt, ["steps"] = schedule.Steps, ["t_final"] = (decimal)schedule.Dt * schedule.Steps,
            ["input_normalization"] = new JsonObject
            {
                ["formula"] = "x = (pixel * pixel_scale - mean) / std, then x *= target_l2_norm / ||x|| (per input)",
                ["pixel_scale"] = n.PixelScale, ["mean"] = n.Mean, ["std"] = n.Std, ["target_l2_norm"] = n.TargetNorm,
            },
            ["readout"] = "predicted class = argmax of the output units at t_final (one trajectory)",
        };
        if (training is not null) content["training"] = training;
        TensorManifest.Save(manifestPath, Format, Version, content, writer);
    }

    /// <summary>Reads a computer and its schedule; every problem is an <see cref="InvalidDataException"/> naming the file.</summary>
    public static (LangevinComputer Computer, LangevinSchedule Schedule, JsonObject Content) Load(string manifestPath)
    {
        using var m = TensorManifest.Open(manifestPath, Format, Version);
        if (m.Content["units"] is not JsonObject units) throw m.Fail("'units' must be an object");
        int Int(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue(out int x) && x >= 0 ? x : throw m.Fail($"'units.{key}' must be a non-negative integer");
        if (m.Content["coupling_classes"] is not JsonArray classNames) throw m.Fail("'coupling_classes' must be an array of names");
        CouplingClasses classes;
        try { classes = CouplingClassNames.Parse(string.Join(",", classNames.Select(x => x?.GetValue<string>() ?? ""))); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException) { throw m.Fail($"'coupling_classes': {IO.JsonInput.Message(e)}"); }
        LangevinComputer c;
        try { c = new LangevinComputer(Int(units, "inputs"), Int(units, "hidden"), Int(units, "outputs"), classes, Int(units, "input_lattice_width")); }
        catch (ArgumentException e) { throw m.Fail(e.Message); }
        c.KT = (float)m.Get<double>("kT"); c.J2 = (float)m.Get<double>("J2"); c.J4 = (float)m.Get<double>("J4"); c.Mobility = (float)m.Get<double>("mobility");
        if (!(c.KT >= 0) || !(c.Mobility > 0)) throw m.Fail($"kT must be ≥ 0 and mobility > 0 (got {c.KT}, {c.Mobility})");
        var schedule = new LangevinSchedule((float)m.Get<double>("dt"), m.Get<int>("steps"));
        try { schedule.Validate(); } catch (ArgumentException e) { throw m.Fail(e.Message); }
        if (m.Content["input_normalization"] is not JsonObject norm) throw m.Fail("'input_normalization' must be an object");
        float Num(string key) => norm[key] is JsonValue v && v.TryGetValue(out double x) && double.IsFinite(x) ? (float)x : throw m.Fail($"'input_normalization.{key}' must be a number");
        c.Normalization = new InputNormalization(Num("pixel_scale"), Num("mean"), Num("std"), Num("target_l2_norm"));
        var specs = Specs(c);
        m.Expect(specs);
        foreach (var spec in specs)
        {
            var data = m.Tensors.ReadFloats(spec.Name);
            foreach (float v in data) if (!float.IsFinite(v)) throw m.Fail($"tensor '{spec.Name}' holds a non-finite value");
            SetBlock(c, spec.Name, data);
        }
        // A stored hidden–hidden or output–output block must be symmetric with a zero diagonal: check, do not repair silently.
        foreach (var (name, size) in new[] { ("J.hidden_hidden", c.Hidden), ("J.output_output", c.Outputs) })
        {
            if (!m.Tensors.Contains(name)) continue;
            var a = m.Tensors.ReadFloats(name);
            for (int i = 0; i < size; i++)
            {
                if (a[i * size + i] != 0) throw m.Fail($"tensor '{name}' has a non-zero diagonal at [{i}, {i}]");
                for (int j = i + 1; j < size; j++)
                    if (a[i * size + j] != a[j * size + i]) throw m.Fail($"tensor '{name}' is not symmetric at [{i}, {j}]");
            }
        }
        return (c, schedule, m.Content);
    }

    static float[] Block(LangevinComputer c, string name)
    {
        int ni = c.Inputs, h = c.Hidden, o = c.Outputs, mv = c.Moving;
        return name switch
        {
            "J.input_input" => (float[])c.InputLattice.Clone(),
            "J.input_hidden" => Gather(ni, h, (i, j) => c.InputCoupling[i * mv + j]),
            "J.input_output" => Gather(ni, o, (i, j) => c.InputCoupling[i * mv + h + j]),
            "J.hidden_hidden" => Gather(h, h, (i, j) => c.MovingCoupling[i * mv + j]),
            "J.hidden_output" => Gather(h, o, (i, j) => c.MovingCoupling[i * mv + h + j]),
            "J.output_output" => Gather(o, o, (i, j) => c.MovingCoupling[(h + i) * mv + h + j]),
            "b.hidden" => c.Bias.AsSpan(0, h).ToArray(),
            "b.output" => c.Bias.AsSpan(h, o).ToArray(),
            _ => throw new ArgumentException($"unknown tensor {name}"),
        };
    }

    static float[] Gather(int rows, int cols, Func<int, int, float> at)
    {
        var a = new float[rows * cols];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) a[i * cols + j] = at(i, j);
        return a;
    }

    static void SetBlock(LangevinComputer c, string name, float[] a)
    {
        int ni = c.Inputs, h = c.Hidden, o = c.Outputs, mv = c.Moving;
        switch (name)
        {
            case "J.input_input": a.CopyTo(c.InputLattice, 0); break;
            case "J.input_hidden": for (int i = 0; i < ni; i++) for (int j = 0; j < h; j++) c.InputCoupling[i * mv + j] = a[i * h + j]; break;
            case "J.input_output": for (int i = 0; i < ni; i++) for (int j = 0; j < o; j++) c.InputCoupling[i * mv + h + j] = a[i * o + j]; break;
            case "J.hidden_hidden": for (int i = 0; i < h; i++) for (int j = 0; j < h; j++) c.MovingCoupling[i * mv + j] = a[i * h + j]; break;
            case "J.hidden_output":
                for (int i = 0; i < h; i++) for (int j = 0; j < o; j++) { c.MovingCoupling[i * mv + h + j] = a[i * o + j]; c.MovingCoupling[(h + j) * mv + i] = a[i * o + j]; }
                break;
            case "J.output_output": for (int i = 0; i < o; i++) for (int j = 0; j < o; j++) c.MovingCoupling[(h + i) * mv + h + j] = a[i * o + j]; break;
            case "b.hidden": a.CopyTo(c.Bias, 0); break;
            case "b.output": a.CopyTo(c.Bias, h); break;
        }
    }
}
