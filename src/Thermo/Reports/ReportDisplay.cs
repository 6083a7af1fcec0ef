using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Thermo.IO;

namespace Thermo.Reports;

/// <summary>How report fields read in Markdown and HTML (shared so both say the same).</summary>
internal static class ReportDisplay
{
    /// <summary>12.3 s, 4 min 12 s, 2 h 03 min.</summary>
    public static string Duration(TimeSpan t)
    {
        double s = t.TotalSeconds;
        if (s < 60) return ReportValue.FormatNumber(Math.Round(s, s < 10 ? 2 : 1)) + " s";
        if (s < 3600) return $"{(int)t.TotalMinutes} min {t.Seconds} s";
        return $"{(int)t.TotalHours} h {t.Minutes:00} min";
    }

    public static string KindLabel(ReportKind kind) => ReportJson.KindName(kind);

    public static string Created(DateTimeOffset created) =>
        created == default ? "" : created.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>Provenance rows as (name, value), in a fixed order; empty values left out.</summary>
    public static List<(string Name, string Value)> ProvenanceRows(RunReport report)
    {
        var rows = new List<(string, string)>();
        if (report.Seed is { } seed) rows.Add(("seed", seed.ToString(CultureInfo.InvariantCulture)));
        if (report.WallTime is { } wall) rows.Add(("wall time", Duration(wall)));
        var p = report.Provenance;
        if (p.ThermoVersion.Length > 0) rows.Add(("Thermo", p.ThermoVersion));
        if (p.Machine.Length > 0) rows.Add(("machine", p.Machine));
        if (Created(p.Created) is { Length: > 0 } created) rows.Add(("created", created));
        foreach (var key in p.DatasetChecksums.Keys.Order(StringComparer.Ordinal)) rows.Add(("data: " + key, p.DatasetChecksums[key]));
        return rows;
    }

    /// <summary>The nested details as indented JSON with sorted keys (what report.json holds).</summary>
    public static string DetailsJson(RunReport report)
    {
        var sorted = Sort(report.Details);
        return sorted.ToFiniteJson(new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    static JsonNode? Sort(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sort(p.Value)))),
        JsonArray array => new JsonArray(array.Select(Sort).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };

    /// <summary>Largest details JSON shown inline in report.md/report.html (the full text is always in report.json).</summary>
    public const int MaxInlineDetails = 16 * 1024;
}
