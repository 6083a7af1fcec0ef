using System.Globalization;
using System.Text;
using System.Text.Json;
using Thermo.IO;

namespace Thermo.Cli.Bench;

/// <summary>
/// The outcome of a workload: ordered fields written as one JSON object, <c>{"workload": ..., metric, extras}</c>,
/// with the same keys as the PyTorch peer plus any extra fields.
/// </summary>
public sealed class BenchResult(string workload, string metric, string unit)
{
    readonly List<(string Key, object Value)> fields = [("workload", workload)];

    /// <summary>The workload name.</summary>
    public string Workload { get; } = workload;
    /// <summary>The headline metric's key (the peer's name, e.g. "gflops") and its unit for the text output.</summary>
    public string Metric { get; } = metric;
    /// <inheritdoc cref="Metric"/>
    public string Unit { get; } = unit;

    /// <summary>Adds a numeric field.</summary>
    public BenchResult Add(string key, double value) { fields.Add((key, value)); return this; }
    /// <summary>Adds a text field.</summary>
    public BenchResult Add(string key, string value) { fields.Add((key, value)); return this; }

    /// <summary>Process exit code: non-zero when a check inside the workload failed (e.g. gibbs --verify).</summary>
    public int ExitCode { get; set; }

    /// <summary>The headline metric's value.</summary>
    public double Value => fields.Find(f => f.Key == Metric).Value is double d ? d : double.NaN;

    /// <summary>One JSON object on one line.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            foreach (var (key, value) in fields)
            {
                if (value is double d) FiniteJson.WriteNumber(w, key, d);
                else w.WriteString(key, (string)value);
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Human-readable summary: "gemm: 123.4 GFLOP/s (n=2048, ...)".</summary>
    public string ToText()
    {
        var extras = new StringBuilder();
        foreach (var (key, value) in fields)
        {
            if (key == "workload" || key == Metric) continue;
            if (extras.Length > 0) extras.Append(", ");
            extras.Append(key).Append('=').Append(value is double d ? d.ToString("G4", CultureInfo.InvariantCulture) : value);
        }
        return $"{Workload}: {Value.ToString("G4", CultureInfo.InvariantCulture)} {Unit} ({extras})";
    }
}
