using System.Text.RegularExpressions;

namespace Thermo.Tests.Architecture;

/// <summary>
/// The layer order of docs/architecture.md, checked against the code: a namespace may use only the namespaces listed
/// before it. Edges are read from every source file under src/: its <c>using</c> directives, fully qualified
/// <c>Thermo.X.</c> references, and references qualified by a sibling namespace alone (<c>Sampling.Schedule</c> inside
/// namespace Thermo.Blocks).
/// </summary>
public partial class LayerOrderTests
{
    /// <summary>Bottom to top, as in docs/architecture.md; within a line, left before right.</summary>
    internal static readonly string[][] Layers =
    [
        ["Randomness", "Devices", "Kernels"],
        ["Tensors", "Autograd"],
        ["Nn", "Optim"],
        ["Data", "IO", "Distributed"],
        ["Ising", "Sampling", "Langevin"],
        ["Blocks"],
        ["Evaluation", "Analysis", "Training"],
        ["Reports"],
        ["Cli"],
    ];

    static readonly string[] Order = Layers.SelectMany(l => l).ToArray();

    internal sealed record Edge(string File, string From, string To);

    [GeneratedRegex(@"^\s*namespace\s+Thermo\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"(?<![\w.""])Thermo\.(\w+)\b")]
    private static partial Regex QualifiedReference();

    [GeneratedRegex(@"\b(?:class|struct|record|interface|enum)\s+(\w+)")]
    private static partial Regex TypeDeclaration();

    static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(RepositoryRoot.Combine("src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal);

    /// <summary>The namespaces (Thermo.X → X) a source text uses, other than its own; <paramref name="types"/> maps X to the types it declares.</summary>
    internal static IEnumerable<Edge> Edges(string file, string text, IReadOnlyDictionary<string, HashSet<string>> types)
    {
        var declared = NamespaceDeclaration().Match(text);
        if (!declared.Success) yield break;
        string from = declared.Groups[1].Value;
        var seen = new HashSet<string>();
        foreach (Match m in QualifiedReference().Matches(text))
            if (m.Index != declared.Groups[1].Index - "Thermo.".Length && Order.Contains(m.Groups[1].Value) && m.Groups[1].Value != from && seen.Add(m.Groups[1].Value))
                yield return new Edge(file, from, m.Groups[1].Value);
        foreach (var (ns, names) in types)
        {
            if (ns == from || seen.Contains(ns)) continue;
            var partial = new Regex($@"(?<![\w.]){ns}\.(\w+)");
            if (partial.Matches(text).Any(m => names.Contains(m.Groups[1].Value)) && seen.Add(ns))
                yield return new Edge(file, from, ns);
        }
    }

    static Dictionary<string, HashSet<string>> DeclaredTypes(IEnumerable<(string File, string Text)> files)
    {
        var types = new Dictionary<string, HashSet<string>>();
        foreach (var (_, text) in files)
        {
            var declared = NamespaceDeclaration().Match(text);
            if (!declared.Success) continue;
            var set = types.TryGetValue(declared.Groups[1].Value, out var s) ? s : types[declared.Groups[1].Value] = [];
            foreach (Match m in TypeDeclaration().Matches(text)) set.Add(m.Groups[1].Value);
        }
        return types;
    }

    static bool Allowed(string from, string to) => Array.IndexOf(Order, to) < Array.IndexOf(Order, from);

    [Fact]
    public void Every_namespace_under_src_has_a_place_in_the_order()
    {
        var unknown = SourceFiles()
            .Select(f => (File: f, Match: NamespaceDeclaration().Match(File.ReadAllText(f))))
            .Where(x => x.Match.Success && !Order.Contains(x.Match.Groups[1].Value))
            .Select(x => $"{Path.GetRelativePath(RepositoryRoot.Path, x.File)}: namespace Thermo.{x.Match.Groups[1].Value}")
            .ToList();
        Assert.True(unknown.Count == 0, "namespaces missing from the layer order (add them to docs/architecture.md and LayerOrderTests.Layers):\n" + string.Join("\n", unknown));
    }

    [Fact]
    public void No_source_file_uses_a_namespace_above_its_own()
    {
        var files = SourceFiles().Select(f => (File: Path.GetRelativePath(RepositoryRoot.Path, f), Text: File.ReadAllText(f))).ToList();
        Assert.True(files.Count > 200, $"found only {files.Count} source files under src/");
        var types = DeclaredTypes(files);
        var violations = files.SelectMany(f => Edges(f.File, f.Text, types))
            .Where(e => Order.Contains(e.From) && !Allowed(e.From, e.To))
            .Select(e => $"{e.File}: {e.From} uses {e.To}, which comes after it in the layer order")
            .ToList();
        Assert.True(violations.Count == 0, "edges against docs/architecture.md's layer order:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void The_scanner_sees_usings_qualified_and_sibling_qualified_references()
    {
        var types = new Dictionary<string, HashSet<string>> { ["Sampling"] = ["Schedule"], ["Autograd"] = ["Backprop"], ["Data"] = ["Normalization"] };
        Assert.Equal(["Autograd"], Edges("a.cs", "using Thermo.Autograd;\nnamespace Thermo.Tensors;\nclass A {}", types).Select(e => e.To));
        Assert.Equal(["Sampling"], Edges("b.cs", "namespace Thermo.Ising;\nclass B { Thermo.Sampling.Schedule? s; }", types).Select(e => e.To));
        Assert.Equal(["Autograd"], Edges("c.cs", "namespace Thermo.Tensors;\nclass C { void F() => Autograd.Backprop.Run(this); }", types).Select(e => e.To));
        // A property that happens to share a namespace's name is not a reference: Data.Length is not a type of Thermo.Data.
        Assert.Empty(Edges("d.cs", "namespace Thermo.Tensors;\nclass D { int N => Data.Length; }", types));
        Assert.False(Allowed("Tensors", "Autograd"));
        Assert.True(Allowed("Autograd", "Tensors"));
    }
}
