using System.Text.Json;
using Thermo.Tests.Data;

namespace Thermo.Tests.Cli.Commands;

/// <summary>Runs the built `thermo` CLI as a separate process (its output is the contract).</summary>
public class DataCommandTests
{
    static (int Exit, string Out, string Err) Thermo(TempDirectory dir, params string[] args) =>
        CliRunner.Run(new Dictionary<string, string> { ["THERMO_DATA_DIR"] = dir.File("data") }, TimeSpan.FromSeconds(60), args);

    static void WriteIdx(TempDirectory dir)
    {
        dir.Write("set/train-images-idx3-ubyte", TestFiles.Idx(0x08, [4, 2, 2], [0, 0, 0, 0, 255, 255, 255, 255, 0, 255, 0, 255, 0, 0, 255, 255]));
        dir.Write("set/train-labels-idx1-ubyte", TestFiles.Idx(0x08, [4], [0, 1, 1, 2]));
        dir.Write("set/t10k-images-idx3-ubyte.gz", TestFiles.Gzip(TestFiles.Idx(0x08, [1, 2, 2], [1, 2, 3, 4])));
        dir.Write("set/t10k-labels-idx1-ubyte.gz", TestFiles.Gzip(TestFiles.Idx(0x08, [1], [2])));
    }

    [Fact]
    public void Info_json_reports_counts_shapes_balance_statistics_and_checksums()
    {
        using var dir = new TempDirectory();
        WriteIdx(dir);
        var (exit, output, error) = Thermo(dir, "data", "info", dir.File("set"), "--json");
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var splits = json.RootElement.GetProperty("splits").EnumerateArray().ToList();
        var train = splits.Single(s => s.GetProperty("split").GetString() == "train");
        Assert.Equal(4, train.GetProperty("count").GetInt32());
        Assert.Equal(2, train.GetProperty("height").GetInt32());
        Assert.Equal([1, 2, 1], train.GetProperty("classes").EnumerateArray().Take(3).Select(c => c.GetProperty("count").GetInt32()));
        Assert.Equal(0.5, train.GetProperty("mean")[0].GetDouble(), 6);
        Assert.Equal(0.5, train.GetProperty("std")[0].GetDouble(), 6);
        Assert.Matches("^[0-9a-f]{64}$", train.GetProperty("sources")[0].GetProperty("sha256").GetString());
        Assert.Equal(1, splits.Single(s => s.GetProperty("split").GetString() == "test").GetProperty("count").GetInt32());
    }

    [Fact]
    public void Bad_input_prints_one_error_line_and_exits_2()
    {
        using var dir = new TempDirectory();
        WriteIdx(dir);
        var images = dir.File("set/train-images-idx3-ubyte");
        File.WriteAllBytes(images, File.ReadAllBytes(images)[..20]);
        var (exit, output, error) = Thermo(dir, "data", "info", images);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        var line = Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("error: ", line);
        Assert.Contains(images, line);
        Assert.Contains("truncated", line);

        var cifar100 = Thermo(dir, "data", "fetch", "cifar100");
        Assert.Equal(2, cifar100.Exit);
        Assert.Contains("--from", cifar100.Err);
    }

    [Fact]
    public void Help_teaches_the_catalogue()
    {
        using var dir = new TempDirectory();
        var (exit, output, _) = Thermo(dir, "data", "--help");
        Assert.Equal(0, exit);
        foreach (var word in new[] { "mnist", "fashion-mnist", "cifar10", "cifar100", "fetch", "info", "THERMO_DATA_DIR" }) Assert.Contains(word, output);
    }
}
