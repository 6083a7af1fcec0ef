using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Thermo.IO;

namespace Thermo.Langevin;

/// <summary>
/// The published thermo_gd <c>parameters.dat</c> (Whitelam 2025): whitespace-separated numbers, the couplings by class,
/// then one bias per unit,
/// <code>
/// ii  for each input j: its bond to the left, then to the lower neighbour (periodic lattice)   2·I
/// ih  input-major                                                                               I·H
/// hh  hidden i = 0..H−1, j = 0..i−1                                                             H(H−1)/2
/// ho  hidden-major                                                                              H·O
/// oo  output i = 0..O−1, j = 0..i−1                                                             O(O−1)/2
/// io  input-major                                                                               I·O
/// b   inputs, hidden, outputs                                                                   I + H + O
/// </code>
/// N(I, H, O) = 2I + IH + H(H−1)/2 + HO + O(O−1)/2 + IO + I + H + O, 63 143 for the published 784-64-10 computer.
/// The file holds nothing else: a loaded computer gets the published constants kT = J2 = J4 = μ = 1, Δt = 1e-3,
/// t_f = 0.2 and the published input standardisation with R = the largest norm of the evaluated split (target norm 0).
/// <see cref="Save"/> and <see cref="Load"/> are exact inverses for every number a <see cref="LangevinComputer"/>
/// stores (float32 shortest text, so each number reads back bit for bit). Input biases and, without the input–input
/// class, lattice bonds only add a constant to V while the inputs are clamped; Thermo does not store them and writes
/// zeros.
/// </summary>
public static class PublishedParameterFile
{
    /// <summary>Inputs of the published computer (28 × 28 MNIST pixels).</summary>
    public const int PublishedInputs = 784;
    /// <summary>Outputs of the published computer (10 digit classes).</summary>
    public const int PublishedOutputs = 10;
    /// <summary>Largest file <see cref="Load"/> reads (checked before reading).</summary>
    public const long MaxBytes = 1L << 30;

    /// <summary>N(I, H, O): how many numbers a file for this layout holds.</summary>
    public static long Count(int inputs, int hidden, int outputs)
    {
        long i = inputs, h = hidden, o = outputs;
        return 2 * i + i * h + h * (h - 1) / 2 + h * o + o * (o - 1) / 2 + i * o + i + h + o;
    }

    /// <summary>The hidden count H with N(I, H, O) = <paramref name="count"/>, or null when there is none (N grows with H).</summary>
    public static int? HiddenFor(long count, int inputs, int outputs)
    {
        // N = H²/2 + (I + O + 1/2)·H + N(I, 0, O): solve, then check the integers around the root.
        double b = inputs + outputs + 0.5, c = Count(inputs, 0, outputs) - count;
        double root = -b + Math.Sqrt(b * b - 2 * c);
        if (!(root >= 0)) root = 0;
        for (long h = Math.Max(0, (long)root - 1); h <= (long)root + 1 && h <= int.MaxValue; h++)
            if (Count(inputs, (int)h, outputs) == count) return (int)h;
        return null;
    }

    /// <summary>Writes <paramref name="c"/> in the published order, one number per line (float32 shortest form).</summary>
    public static void Save(string path, LangevinComputer c)
    {
        int ni = c.Inputs, h = c.Hidden, o = c.Outputs, mv = c.Moving;
        bool lattice = c.LatticeWidth > 0 && c.Has(CouplingClasses.InputInput);
        var sb = new StringBuilder();
        void W(float v) => sb.Append(v.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        for (int i = 0; i < ni; i++) for (int d = 0; d < 2; d++) W(lattice ? c.InputLattice[2 * i + d] : 0f);
        for (int i = 0; i < ni; i++) for (int j = 0; j < h; j++) W(c.InputCoupling[i * mv + j]);
        for (int i = 0; i < h; i++) for (int j = 0; j < i; j++) W(c.MovingCoupling[i * mv + j]);
        for (int i = 0; i < h; i++) for (int j = 0; j < o; j++) W(c.MovingCoupling[i * mv + h + j]);
        for (int i = 0; i < o; i++) for (int j = 0; j < i; j++) W(c.MovingCoupling[(h + i) * mv + h + j]);
        for (int i = 0; i < ni; i++) for (int j = 0; j < o; j++) W(c.InputCoupling[i * mv + h + j]);
        for (int i = 0; i < ni; i++) W(0f);
        for (int i = 0; i < mv; i++) W(c.Bias[i]);
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>
    /// Reads a parameters file for <paramref name="inputs"/> inputs, <paramref name="hidden"/> hidden units (0: inferred
    /// from the count) and <paramref name="outputs"/> outputs. Every problem is an <see cref="InvalidDataException"/> of
    /// one line naming the file and, for a bad number, its line. Content describes the import (source, whether H was
    /// inferred, notes).
    /// </summary>
    public static (LangevinComputer Computer, LangevinSchedule Schedule, JsonObject Content) Load(string path,
        int inputs = PublishedInputs, int hidden = 0, int outputs = PublishedOutputs)
    {
        if (inputs < 1 || outputs < 1 || hidden < 0) throw new ArgumentException($"a published computer needs inputs ≥ 1, hidden ≥ 0 (0 = infer) and outputs ≥ 1, got {inputs}, {hidden}, {outputs}");
        InvalidDataException Fail(string message) => new($"parameters file '{path}': {message}");
        if (!File.Exists(path)) throw new FileNotFoundException($"parameters file '{path}' does not exist", path);
        long bytes = new FileInfo(path).Length;
        if (bytes > MaxBytes) throw Fail($"{bytes} bytes, more than the limit of {MaxBytes}");

        var values = new List<float>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            foreach (var token in line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                if (!float.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
                    throw Fail($"line {lineNumber}: {Quote(token)} is not a number (number {values.Count + 1})");
                if (!float.IsFinite(v))
                    throw Fail(double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)
                        ? $"line {lineNumber}: {Quote(token)} is outside the float32 range (number {values.Count + 1})"
                        : $"line {lineNumber}: {Quote(token)} is not finite (number {values.Count + 1})");
                values.Add(v);
            }
        }
        if (values.Count == 0) throw Fail("holds no numbers");

        bool inferred = hidden == 0;
        if (inferred)
        {
            hidden = HiddenFor(values.Count, inputs, outputs)
                ?? throw Fail($"{values.Count} numbers fit no hidden-layer size for {inputs} inputs and {outputs} outputs{Nearest(values.Count, inputs, outputs)}");
        }
        long expected = Count(inputs, hidden, outputs);
        if (values.Count != expected)
            throw Fail($"{values.Count} numbers, but {inputs} inputs, {hidden} hidden and {outputs} outputs need {expected}");

        int side = (int)Math.Round(Math.Sqrt(inputs));
        int width = side * side == inputs ? side : 0;
        int at = 0;
        var lattice = values.GetRange(at, 2 * inputs); at += 2 * inputs;
        bool latticeUsed = lattice.Exists(v => v != 0);
        if (latticeUsed && width == 0) throw Fail($"input–input bonds are non-zero, but {inputs} inputs form no square lattice");
        var classes = CouplingClasses.Published | (latticeUsed ? CouplingClasses.InputInput : CouplingClasses.None);
        var c = new LangevinComputer(inputs, hidden, outputs, classes, width)
        {
            KT = 1, J2 = 1, J4 = 1, Mobility = 1, Normalization = InputNormalization.Mnist(0),
        };
        int h = hidden, o = outputs, mv = c.Moving;
        if (latticeUsed) lattice.CopyTo(c.InputLattice);
        for (int i = 0; i < inputs; i++) for (int j = 0; j < h; j++) c.InputCoupling[i * mv + j] = values[at++];
        for (int i = 0; i < h; i++) for (int j = 0; j < i; j++) { float v = values[at++]; c.MovingCoupling[i * mv + j] = v; c.MovingCoupling[j * mv + i] = v; }
        for (int i = 0; i < h; i++) for (int j = 0; j < o; j++) { float v = values[at++]; c.MovingCoupling[i * mv + h + j] = v; c.MovingCoupling[(h + j) * mv + i] = v; }
        for (int i = 0; i < o; i++) for (int j = 0; j < i; j++) { float v = values[at++]; c.MovingCoupling[(h + i) * mv + h + j] = v; c.MovingCoupling[(h + j) * mv + h + i] = v; }
        for (int i = 0; i < inputs; i++) for (int j = 0; j < o; j++) c.InputCoupling[i * mv + h + j] = values[at++];
        int inputBiases = 0;
        for (int i = 0; i < inputs; i++) if (values[at++] != 0) inputBiases++;
        for (int i = 0; i < mv; i++) c.Bias[i] = values[at++];

        var notes = new JsonArray();
        if (inferred) notes.Add($"H = {hidden} hidden units, inferred from the {values.Count} numbers for {inputs} inputs and {outputs} outputs");
        if (inputBiases > 0) notes.Add($"{inputBiases} input biases are non-zero; they only add a constant to V while the inputs are clamped and are dropped (exported as 0)");
        var content = new JsonObject
        {
            ["source"] = path, ["format"] = "published thermo_gd parameters.dat",
            ["units"] = new JsonObject { ["inputs"] = inputs, ["hidden"] = hidden, ["outputs"] = outputs, ["input_lattice_width"] = width },
            ["hidden_inferred"] = inferred,
            ["coupling_classes"] = new JsonArray(CouplingClassNames.Names(classes).Select(s => (JsonNode)s!).ToArray()),
            ["constants"] = "published: kT = J2 = J4 = mobility = 1, dt = 0.001, t_final = 0.2; inputs standardised with the published MNIST moments and rescaled to the largest L2 norm of the evaluated split",
            ["notes"] = notes,
        };
        return (c, new LangevinSchedule(1e-3f, 200), content);
    }

    static string Nearest(long count, int inputs, int outputs)
    {
        int below = 0;
        while (below < 1 << 20 && Count(inputs, below + 1, outputs) <= count) below++;
        long low = Count(inputs, below, outputs), high = Count(inputs, below + 1, outputs);
        return low > count ? $" (even H = 0 needs {low})" : $" (H = {below} needs {low}, H = {below + 1} needs {high})";
    }

    static string Quote(string token)
    {
        var s = new StringBuilder("'");
        foreach (char ch in token.Length > 24 ? token[..24] : token) s.Append(char.IsControl(ch) ? '?' : ch);
        return s.Append(token.Length > 24 ? "…'" : "'").ToString();
    }
}
