namespace Thermo.Langevin;

/// <summary>
/// The coupling classes of the published Langevin computer (Whitelam 2025, thermo_gd): which pairs of unit
/// groups may carry a coupling J_ij. Each class can be switched on or off; a switched-off class is held at
/// zero by the simulator, the trainers and the exporter.
/// </summary>
[Flags]
public enum CouplingClasses
{
    /// <summary>No couplings.</summary>
    None = 0,
    /// <summary>Input–input, nearest neighbours (right, down) on the input lattice. Both ends are clamped,
    /// so these only shift V by a constant; kept for layout parity with the published code.</summary>
    InputInput = 1,
    /// <summary>Input–hidden, all-to-all.</summary>
    InputHidden = 2,
    /// <summary>Hidden–hidden, all-to-all (i &lt; j).</summary>
    HiddenHidden = 4,
    /// <summary>Hidden–output, all-to-all.</summary>
    HiddenOutput = 8,
    /// <summary>Output–output, all-to-all (i &lt; j).</summary>
    OutputOutput = 16,
    /// <summary>Input–output, all-to-all.</summary>
    InputOutput = 32,
    /// <summary>The classes that act on the dynamics in the published MNIST computer (all but input–input).</summary>
    Published = InputHidden | HiddenHidden | HiddenOutput | OutputOutput | InputOutput,
    /// <summary>Every class.</summary>
    All = Published | InputInput,
}

/// <summary>Names of coupling classes as used in files and on the command line.</summary>
public static class CouplingClassNames
{
    /// <summary>The six classes in the published order (ii, ih, hh, ho, oo, io).</summary>
    public static readonly (CouplingClasses Class, string Name)[] Ordered =
    [
        (CouplingClasses.InputInput, "input_input"),
        (CouplingClasses.InputHidden, "input_hidden"),
        (CouplingClasses.HiddenHidden, "hidden_hidden"),
        (CouplingClasses.HiddenOutput, "hidden_output"),
        (CouplingClasses.OutputOutput, "output_output"),
        (CouplingClasses.InputOutput, "input_output"),
    ];

    /// <summary>Parses a comma-separated list ("input_hidden,hidden_output", short forms "ih,ho", or "published"/"all"/"none").</summary>
    public static CouplingClasses Parse(string text)
    {
        var result = CouplingClasses.None;
        foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string s = raw.ToLowerInvariant();
            result |= s switch
            {
                "published" => CouplingClasses.Published,
                "all" => CouplingClasses.All,
                "none" => CouplingClasses.None,
                "ii" or "input_input" => CouplingClasses.InputInput,
                "ih" or "input_hidden" => CouplingClasses.InputHidden,
                "hh" or "hidden_hidden" => CouplingClasses.HiddenHidden,
                "ho" or "hidden_output" => CouplingClasses.HiddenOutput,
                "oo" or "output_output" => CouplingClasses.OutputOutput,
                "io" or "input_output" => CouplingClasses.InputOutput,
                _ => throw new ArgumentException($"unknown coupling class '{raw}' (expected ii, ih, hh, ho, oo, io, published or all)"),
            };
        }
        return result;
    }

    /// <summary>The names of the classes set in <paramref name="classes"/>, in the published order.</summary>
    public static List<string> Names(CouplingClasses classes)
    {
        var names = new List<string>();
        foreach (var (c, n) in Ordered) if ((classes & c) != 0) names.Add(n);
        return names;
    }
}
