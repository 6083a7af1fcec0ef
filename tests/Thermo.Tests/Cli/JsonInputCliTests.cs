using Thermo.Tests.Data;

namespace Thermo.Tests.Cli;

/// <summary>
/// Every command that reads a user's JSON file (issue 12, item 14): a key given twice is refused naming the key and
/// the file; a syntax error or a value of the wrong type reads in words; nothing of .NET's own text appears. Before,
/// the same inputs gave "An item with the same key has already been added. Key: name", "An element of type 'String'
/// cannot be converted to a 'System.Int32'" or the serializer's "LineNumber: 0 | BytePositionInLine: 100".
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class JsonInputCliTests : IDisposable
{
    readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    const string Model = """{"name": "m", "input": [1, 6, 6], "classes": 3, "layers": [{"type": "flatten"}, {"type": "linear", "out": 3}]}""";
    const string Dimod = """{"beta": 1, "h": [0, 0], "J": [[0, 1, 1.0]]}""";
    const string Manifest = """{"format": "thermo.ising-program", "version": 1, "tensors_file": "p.safetensors", "tensors": {}}""";
    const string Report = """{"format": "thermo.report", "version": 1, "title": "t", "sections": []}""";
    const string Shard = """{"kind": "ising-sample", "shard": "0/1"}""";
    const string Slurm = """{"format": "thermo.slurm-run", "command": ["eval"], "shards": 1, "submissions": []}""";

    /// <summary>(name, JSON that is valid apart from what the test does to it, command with FILE or DIR for its place).</summary>
    public static TheoryData<string, string, string[]> Readers => new()
    {
        { "model definition (train --model)", Model, ["train", "--model", "FILE", "--dataset", "no-such-set", "--out", "OUT"] },
        { "dimod problem (ising sample)", Dimod, ["ising", "sample", "FILE"] },
        { "program manifest (ising info)", Manifest, ["ising", "info", "FILE"] },
        { "report.json (report)", Report, ["report", "FILE"] },
        { "shard output (merge)", Shard, ["merge", "FILE"] },
        { "compiled network (eval --model DIR)", Manifest, ["eval", "--model", "DIR", "--mode", "gibbs", "--dataset", "no-such-set"] },
        { "Langevin model (langevin eval)", Manifest, ["langevin", "eval", "--model", "FILE"] },
        { "Slurm run record (slurm status)", Slurm, ["slurm", "status", "DIR"] },
    };

    InProcessCli.Outcome RunWith(string content, string[] command, out string file)
    {
        string folder = dir.File(Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        bool inFolder = command.Contains("DIR");
        file = Path.Combine(folder, command.Contains("slurm") ? "slurm.json" : inFolder ? "network.json" : "input.json");
        File.WriteAllText(file, content);
        string f = file;
        return InProcessCli.Run(TimeSpan.FromSeconds(60), command.Select(a => a switch { "FILE" => f, "DIR" => folder, "OUT" => Path.Combine(folder, "out"), _ => a }).ToArray());
    }

    static string OneLine(InProcessCli.Outcome r)
    {
        Assert.Null(r.Escaped);
        Assert.True(r.Exit == 2, $"exit {r.Exit}: {r.Err}");
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, r.Err);
        Assert.StartsWith("error: ", lines[0]);
        Assert.True(UserText.Internals(lines[0]) is null, $"internals ({UserText.Internals(lines[0])}) in: {lines[0]}");
        return lines[0];
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void A_key_given_twice_is_refused_naming_the_key_and_the_file(string reader, string json, string[] command)
    {
        // The same key twice in the top-level object: the first key of the valid document, repeated at the end.
        string key = json[2..json.IndexOf('"', 2)];
        string twice = json[..^1] + $", \"{key}\": {json[(json.IndexOf(':') + 1)..json.IndexOf(',')].Trim()}}}";
        var line = OneLine(RunWith(twice, command, out var file));
        Assert.True(line.Contains($"key \"{key}\" appears twice", StringComparison.Ordinal), $"{reader}: {line}");
        Assert.True(line.Contains(file, StringComparison.Ordinal), $"{reader}: {line}");
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void A_syntax_error_is_described_in_words_with_its_line(string reader, string json, string[] command)
    {
        string broken = json[..^1] + ",\n}";   // a trailing comma on line 2
        var line = OneLine(RunWith(broken, command, out var file));
        Assert.True(line.Contains("not valid JSON at line 2, column 1: a trailing comma", StringComparison.Ordinal), $"{reader}: {line}");
        Assert.True(line.Contains(file, StringComparison.Ordinal), $"{reader}: {line}");
    }

    [Theory]
    [InlineData("""{"type": "linear", "out": "ten"}""", "layers[1] (linear): \"out\" must be an integer, found text")]
    [InlineData("""{"type": "linear", "out": 10.5}""", "layers[1] (linear): \"out\" must be an integer, found 10.5")]
    [InlineData("""{"type": "linear", "out": 3, "bias": "yes"}""", "layers[1] (linear): \"bias\" must be true or false, found text")]
    [InlineData("""{"type": 7}""", "layers[1]: \"type\" must be text in double quotes, found 7")]
    public void A_model_field_of_the_wrong_type_is_named_with_what_was_found(string layer, string expected)
    {
        string model = $$"""{"name": "m", "input": [1, 6, 6], "classes": 3, "layers": [{"type": "flatten"}, {{layer}}]}""";
        var line = OneLine(RunWith(model, ["train", "--model", "FILE", "--dataset", "no-such-set", "--out", "OUT"], out _));
        Assert.Contains(expected, line);
    }

    [Theory]
    [InlineData("""{"kind": "eval", "shard": "0/1"}""")]
    [InlineData("""{"kind": "eval", "shard": "0/1", "start": 0, "count": 1, "predictions": "many"}""")]
    [InlineData("""{"kind": "ising-sample", "shard": "0/1"}""")]
    public void A_shard_output_with_fields_missing_or_of_another_type_is_bad_input(string shard)
    {
        var r = RunWith(shard, ["merge", "FILE"], out _);
        var line = OneLine(r);
        Assert.DoesNotContain("internal error", line);
    }

    [Theory]
    [InlineData("eval --model m.safetensors --mode foo", "--mode: 'foo' is not one of forward, meanfield, gibbs")]
    [InlineData("langevin train --teacher foo", "--teacher: 'foo' is not one of tanh, equilibrium")]
    [InlineData("ising sample p.json --sampler foo", "--sampler: 'foo' is not one of")]
    [InlineData("train --distributed foo", "--distributed: 'foo' is not one of none, mpi")]
    public void A_word_option_with_an_unknown_value_lists_the_values_without_type_names(string command, string expected)
    {
        // issue 12, item 14: before, "… as expected type 'Thermo.Training.EvalMode'. Did you mean one of the following?" and a value per line.
        var r = InProcessCli.Run(TimeSpan.FromSeconds(30), command.Split(' '));
        var line = OneLine(r);
        Assert.Contains(expected, line);
    }

    [Fact]
    public void A_model_name_that_is_not_text_is_named()
    {
        var line = OneLine(RunWith("""{"name": 5, "input": [1, 6, 6], "classes": 3, "layers": [{"type": "flatten"}, {"type": "linear", "out": 3}]}""",
            ["train", "--model", "FILE", "--dataset", "no-such-set", "--out", "OUT"], out var file));
        Assert.Contains($"{file}: \"name\" must be text in double quotes, found 5", line);
    }
}
