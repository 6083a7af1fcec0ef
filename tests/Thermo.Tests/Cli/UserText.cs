using System.Text.RegularExpressions;

namespace Thermo.Tests.Cli;

/// <summary>
/// .NET internals that must never reach a user (issue 12, item 14): type names, serializer wording, parameter names,
/// record dumps, stack traces and temporary file names.
/// </summary>
internal static partial class UserText
{
    static readonly string[] Fragments =
    [
        "System.", "   at ", "Unhandled exception", "(Parameter '", "Actual value was", "LineNumber", "BytePositionInLine",
        "Change the reader options", "An item with the same key", "cannot be converted to", ".thermo-tmp-", "Nullable`1",
    ];

    /// <summary>The first internal found in <paramref name="text"/>, or null.</summary>
    public static string? Internals(string text)
    {
        foreach (var f in Fragments)
            if (text.Contains(f, StringComparison.Ordinal)) return f;
        var dump = RecordDump().Match(text);
        if (dump.Success) return dump.Value;
        var type = TypeName().Match(text);
        return type.Success ? type.Value : null;
    }

    // A namespace-qualified type name of this project: "Thermo.Training.EvalMode".
    [GeneratedRegex(@"\bThermo\.[A-Z]\w*\.[A-Z]\w*")]
    private static partial Regex TypeName();

    // What a record's generated ToString looks like: "Conv2dGeometry { Batch = 1, ... }".
    [GeneratedRegex(@"\b[A-Z]\w+ \{ [A-Z]\w* = ")]
    private static partial Regex RecordDump();
}
