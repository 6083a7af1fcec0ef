using System.CommandLine;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Thermo.Cli;
using Thermo.Training;

namespace Thermo.Tests.Cli;

/// <summary>
/// Help and documentation say what the program does (issue 12, item 15), checked where a machine can: the documents
/// help points to exist with the sections it names, every `thermo …` command line in the documentation uses options
/// that command has (visible ones: not hidden old names), environment variables named in help and docs are ones the
/// code reads, options shared by many commands are named and described alike, and the model-definition format in
/// formats.md covers every layer type and its examples build.
/// </summary>
public partial class HelpConsistencyTests
{
    static readonly string Root = FindRoot();

    static string FindRoot()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Thermo.slnx"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        return root;
    }

    static IEnumerable<(string Path, Command Command)> Commands(Command command, string path)
    {
        yield return (path, command);
        foreach (var sub in command.Subcommands)
            foreach (var c in Commands(sub, path + " " + sub.Name)) yield return c;
    }

    /// <summary>Every description in the command tree, with where it is.</summary>
    static IEnumerable<(string Where, string Text)> HelpTexts()
    {
        foreach (var (path, command) in Commands(CliApplication.Root(), "thermo"))
        {
            yield return (path, command.Description ?? "");
            foreach (var o in command.Options) yield return ($"{path} {o.Name}", o.Description ?? "");
            foreach (var a in command.Arguments) yield return ($"{path} <{a.Name}>", a.Description ?? "");
        }
    }

    static IEnumerable<string> Documents() =>
        Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Append(Path.Combine(Root, "README.md"));

    static string[] Headings(string markdown) =>
        markdown.Split('\n').Where(l => l.StartsWith('#')).Select(l => l.TrimStart('#').Trim()).ToArray();

    [Fact]
    public void Documents_named_in_help_exist_with_the_sections_named()
    {
        var problems = new List<string>();
        foreach (var (where, text) in HelpTexts())
            foreach (Match m in DocReference().Matches(text))
            {
                string file = Path.Combine(Root, m.Groups[1].Value);
                if (!File.Exists(file)) { problems.Add($"{where}: {m.Groups[1].Value} does not exist"); continue; }
                if (m.Groups[2].Success && !Headings(File.ReadAllText(file)).Any(h => h.StartsWith(m.Groups[2].Value, StringComparison.Ordinal)))
                    problems.Add($"{where}: {m.Groups[1].Value} has no section \"{m.Groups[2].Value}\"");
            }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        // Where train --help sends a user for the model-definition format, the format is.
        var train = CliApplication.Root().Subcommands.Single(c => c.Name == "train");
        Assert.Contains("docs/formats.md, \"Model definitions\"", train.Options.Single(o => o.Name == "--model").Description);
    }

    [GeneratedRegex(@"(docs/[a-z-]+\.md)(?:, ""([^""]+)"")?")]
    private static partial Regex DocReference();

    [Fact]
    public void Command_lines_in_the_documentation_use_options_their_command_has()
    {
        var root = CliApplication.Root();
        var problems = new List<string>();
        foreach (var doc in Documents())
        {
            var lines = File.ReadAllLines(doc);
            for (int n = 0; n < lines.Length; n++)
                // "thermo slurm submit … -- train --preset mnist": what follows " -- " is a command line of its own.
                foreach (var part in lines[n].Split(" -- ").Select((text, i) => i == 0 ? text : "thermo " + text))
                foreach (Match m in CommandLine().Matches(part))
                {
                    // Resolve the longest run of words that names a command, then check the options that follow it.
                    Command command = root;
                    var chain = new List<Command> { root };
                    foreach (var word in m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        var sub = command.Subcommands.FirstOrDefault(c => c.Name == word);
                        if (sub is null) break;
                        command = sub;
                        chain.Add(sub);
                    }
                    if (command == root) continue;
                    string rest = part[m.Index..].Split('`', '|')[0];
                    // "thermo bench <workload> --json": the options of any of its subcommands.
                    var scope = part[(m.Index + m.Length)..].StartsWith('<') ? command.Subcommands.Append(command).ToList() : [command];
                    var known = chain.SelectMany(c => c.Options).Where(o => o.Recursive).Concat(scope.SelectMany(c => c.Options)).Where(o => !o.Hidden)
                        .SelectMany(o => o.Aliases.Append(o.Name)).Append("--help").ToHashSet(StringComparer.Ordinal);
                    foreach (Match option in OptionName().Matches(rest))
                        if (!known.Contains(option.Value))
                            problems.Add($"{Path.GetFileName(doc)}:{n + 1}: `{string.Join(' ', chain.Skip(1).Select(c => c.Name))}` has no option {option.Value}");
                }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [GeneratedRegex(@"(?<![\w/-])thermo ((?:[a-z][a-z0-9-]* ?)+)")]
    private static partial Regex CommandLine();

    [GeneratedRegex(@"(?<![\w-])--[a-z0-9][a-z0-9-]*")]
    private static partial Regex OptionName();

    [Fact]
    public void Environment_variables_named_in_help_and_docs_are_ones_the_code_reads()
    {
        string code = string.Join("\n", Directory.GetFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal)).Select(File.ReadAllText));
        var texts = HelpTexts().Select(h => (h.Where, h.Text))
            .Concat(Documents().Select(d => (Path.GetFileName(d), File.ReadAllText(d))));
        var problems = new List<string>();
        foreach (var (where, text) in texts)
            foreach (Match m in EnvironmentVariable().Matches(text))
                if (!code.Contains($"\"{m.Groups[1].Value}\"", StringComparison.Ordinal))
                    problems.Add($"{where}: ${m.Groups[1].Value} is read nowhere in src/");
        Assert.True(problems.Count == 0, string.Join("\n", problems.Distinct()));
    }

    [GeneratedRegex(@"\$(THERMO_[A-Z0-9_]+)")]
    private static partial Regex EnvironmentVariable();

    [Fact]
    public void Options_shared_by_many_commands_have_one_name_and_one_description()
    {
        var options = Commands(CliApplication.Root(), "thermo").SelectMany(c => c.Command.Options.Select(o => (c.Path, Option: o))).ToList();
        // A dataset is chosen with --dataset everywhere; an old name may only remain hidden.
        Assert.Empty(options.Where(o => o.Option.Name == "--data" && !o.Option.Hidden).Select(o => o.Path));
        var dataDirs = options.Where(o => o.Option.Name == "--data-dir").ToList();
        Assert.True(dataDirs.Count >= 7, $"{dataDirs.Count} commands have --data-dir");
        Assert.Single(dataDirs.Select(o => o.Option.Description).Distinct());
        Assert.Contains("$THERMO_DATA_DIR", dataDirs[0].Option.Description);
        // Options that take a file say so.
        var sample = options.Single(o => o.Path == "thermo ising sample" && o.Option.Name == "--inputs").Option;
        Assert.Contains("file", sample.Description);
    }

    [Fact]
    public void The_model_definition_format_in_formats_md_covers_every_layer_type_and_its_examples_build()
    {
        string formats = File.ReadAllText(Path.Combine(Root, "docs", "formats.md"));
        int start = formats.IndexOf("## Model definitions", StringComparison.Ordinal);
        Assert.True(start >= 0, "formats.md has no \"Model definitions\" section");
        int end = formats.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        string section = formats[start..(end < 0 ? formats.Length : end)];

        // The layer types the code knows, from its own refusal of an unknown one.
        var e = Assert.Throws<InvalidDataException>(() => ModelSpec.Parse("""{"input": [4], "classes": 2, "layers": [{"type": "warp"}]}""").Build());
        var known = Regex.Match(e.Message, @"known: ([a-z0-9, ]+)\)").Groups[1].Value.Split(", ");
        Assert.True(known.Length > 5, e.Message);
        foreach (var type in known) Assert.True(section.Contains($"`{type}`", StringComparison.Ordinal), $"formats.md, Model definitions, does not describe layer type '{type}'");

        var examples = Regex.Matches(section, "```json\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();
        Assert.True(examples.Count >= 2, "expected a digital and an ising-blocks example");
        foreach (var json in examples)
        {
            var spec = ModelSpec.Parse(json, "formats.md example");
            Assert.NotNull(spec.Build());
            Assert.NotNull(JsonNode.Parse(json));
        }
    }
}
