using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Thermo.IO;

namespace Thermo.Reports;

/// <summary>
/// What a researcher opens after a run: title, kind, the exact command line, provenance (seed, Thermo version,
/// machine and runtime, dataset checksums), wall time, key results (a flat name → value map plus nested JSON
/// details) and sections of Markdown text, tables and figures. <see cref="Write"/> renders it into a run
/// directory as report.json (everything, machine-readable, stable for diffing), report.md, report.html and
/// figures/*.png; <c>thermo report DIR</c> re-renders the last three from report.json. See docs/reports.md.
/// </summary>
public sealed class RunReport
{
    /// <summary>The "format" field of report.json.</summary>
    public const string FormatName = "thermo.report";
    /// <summary>The report.json version this Thermo writes and the highest it reads.</summary>
    public const int FormatVersion = 1;

    readonly List<ReportSection> _sections = [];
    readonly DateTime? _commandStarted;

    /// <summary>An empty report with empty provenance (use <see cref="Start"/> in a command).</summary>
    public RunReport(string title, ReportKind kind = ReportKind.Other)
    {
        Title = title ?? throw new ArgumentNullException(nameof(title));
        Kind = kind;
    }

    RunReport(string title, ReportKind kind, DateTime commandStarted) : this(title, kind) => _commandStarted = commandStarted;

    /// <summary>
    /// A report for the running command: captures provenance (Thermo version, machine, runtime, the command line
    /// as typed, the time). Unless <see cref="WallTime"/> is set, <see cref="Write"/> records the time since the
    /// process started: commands build their report after the work, and the wall time must cover the whole command.
    /// </summary>
    public static RunReport Start(string title, ReportKind kind, ulong? seed = null, IReadOnlyDictionary<string, string>? datasetChecksums = null)
    {
        using var process = Process.GetCurrentProcess();
        var report = new RunReport(title, kind, process.StartTime) { Seed = seed };
        report.Provenance = Provenance.Capture(datasetChecksums) with { CommandLine = CurrentCommandLine() };
        return report;
    }

    /// <summary>Reads a report.json (or the report.json of a run directory).</summary>
    public static RunReport Load(string path) => ReportJson.Load(path);

    /// <summary>Heading of the report.</summary>
    public string Title { get; set; }
    /// <summary>Which command produced it.</summary>
    public ReportKind Kind { get; set; }
    /// <summary>The master Philox seed of the run, if it has one.</summary>
    public ulong? Seed { get; set; }
    /// <summary>Where the run came from; <see cref="Provenance.CommandLine"/> is the command line shown in the report.</summary>
    public Provenance Provenance { get; set; } = new();
    /// <summary>How long the run took (set by <see cref="Write"/> to the time since the process started if left null after <see cref="Start"/>).</summary>
    public TimeSpan? WallTime { get; set; }

    /// <summary>Key results by name, sorted with numbers in names compared as numbers (<see cref="NaturalOrder"/>): <c>report.Results["test_accuracy"] = 0.9912;</c>.</summary>
    public SortedDictionary<string, ReportValue> Results { get; } = new(NaturalOrder.Instance);

    /// <summary>Nested machine-readable details (per-epoch curves, schedules, configuration); written with sorted keys.</summary>
    public JsonObject Details { get; } = [];

    /// <summary>The sections, in order.</summary>
    public IReadOnlyList<ReportSection> Sections => _sections;

    /// <summary>The command line shown in the report (<see cref="Provenance.CommandLine"/>).</summary>
    public string CommandLine
    {
        get => Provenance.CommandLine;
        set => Provenance = Provenance with { CommandLine = value ?? "" };
    }

    /// <summary>Sets a key result.</summary>
    public RunReport Result(string name, ReportValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Results[name] = value;
        return this;
    }

    /// <summary>Sets a nested detail (any JSON; null removes it).</summary>
    public RunReport Detail(string name, JsonNode? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (value is null) Details.Remove(name);
        else Details[name] = value;
        return this;
    }

    /// <summary>Records the SHA-256 of a data file under <paramref name="name"/> (e.g. "mnist/train-images-idx3-ubyte").</summary>
    public RunReport DatasetFile(string name, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var checksums = new Dictionary<string, string>(Provenance.DatasetChecksums, StringComparer.Ordinal) { [name] = Provenance.FileSha256(path) };
        Provenance = Provenance with { DatasetChecksums = checksums };
        return this;
    }

    /// <summary>The section with this title, created at the end if there is none yet.</summary>
    public ReportSection Section(string title)
    {
        ArgumentNullException.ThrowIfNull(title);
        foreach (var s in _sections)
            if (s.Title == title) return s;
        var section = new ReportSection(this, title);
        _sections.Add(section);
        return section;
    }

    /// <summary>Every figure, in report order.</summary>
    public IEnumerable<PlotSpec> Figures()
    {
        foreach (var section in _sections)
            foreach (var block in section.Blocks)
                if (block is PlotSpec plot) yield return plot;
    }

    /// <summary>Null if the report can be rendered, else the first problem (figure names must be unique ignoring case).</summary>
    public string? Problem()
    {
        if (Title is null) return "the report has no title";
        if (!Enum.IsDefined(Kind)) return $"unknown report kind {Kind}";
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int s = 0; s < _sections.Count; s++)
            foreach (var block in _sections[s].Blocks)
            {
                if (block.Problem() is { } problem) return $"section '{_sections[s].Title}': {problem}";
                if (block is PlotSpec plot && !names.Add(plot.Name)) return $"section '{_sections[s].Title}': two figures are named '{plot.Name}'";
            }
        return null;
    }

    /// <summary>
    /// Renders everything in memory, then writes report.json, figures/*.png, report.md and report.html into
    /// <paramref name="runDirectory"/>, each file atomically. If anything fails while rendering (a bad plot),
    /// nothing is written.
    /// </summary>
    public ReportFiles Write(string runDirectory)
    {
        if (WallTime is null && _commandStarted is DateTime started) WallTime = DateTime.Now - started;
        return ReportWriter.Write(this, runDirectory);
    }

    internal string UniqueFigureName(string name, PlotSpec self)
    {
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var plot in Figures())
            if (!ReferenceEquals(plot, self)) taken.Add(plot.Name);
        if (!taken.Contains(name)) return name;
        string stem = name.Length > 90 ? name[..90] : name;
        for (int i = 2; ; i++)
        {
            string candidate = stem + "-" + i.ToString(CultureInfo.InvariantCulture);
            if (!taken.Contains(candidate)) return candidate;
        }
    }

    internal void AddSection(ReportSection section) => _sections.Add(section);

    /// <summary>
    /// The running command as it could be typed again: "thermo" for Thermo's own executable, then each argument,
    /// single-quoted for a POSIX shell when it has characters the shell would interpret.
    /// </summary>
    public static string CurrentCommandLine()
    {
        var args = Environment.GetCommandLineArgs();
        if (args.Length == 0) return "";
        string program = Path.GetFileNameWithoutExtension(args[0]);
        var sb = new StringBuilder(program is "Thermo.Cli" or "thermo" ? "thermo" : Quote(args[0]));
        for (int i = 1; i < args.Length; i++) sb.Append(' ').Append(Quote(args[i]));
        return sb.ToString();
    }

    /// <summary>Single-quotes <paramref name="arg"/> for a POSIX shell unless it is made of safe characters only.</summary>
    public static string Quote(string arg)
    {
        if (arg.Length > 0)
        {
            bool safe = true;
            foreach (char c in arg)
                if (!(char.IsAsciiLetterOrDigit(c) || "-_./:=,+@%".Contains(c))) { safe = false; break; }
            if (safe) return arg;
        }
        return "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
