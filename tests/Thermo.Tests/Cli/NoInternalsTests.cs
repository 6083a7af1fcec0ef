using Thermo.Blocks;
using Thermo.Cli;
using Thermo.IO;
using Thermo.Kernels;
using Thermo.Tests.Data;

namespace Thermo.Tests.Cli;

/// <summary>
/// Messages show the user's own paths and words, not .NET internals (issue 12, item 14): temporary and staging names,
/// record dumps, parameter names.
/// </summary>
public class NoInternalsTests
{
    [Fact]
    public void A_write_that_fails_names_the_file_the_user_gave_not_the_temporary_one()
    {
        using var dir = new TempDirectory();
        string target = dir.File("model.json");
        // What the operating system says when the disk fills up: it names the file being written, the temporary one.
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(target, s => throw new IOException($"No space left on device : '{((FileStream)s).Name}'")));
        Assert.Equal($"No space left on device : '{target}'", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Staging_directories_and_temporary_names_in_a_message_become_the_output_the_user_gave()
    {
        using var dir = new TempDirectory();
        string run = dir.File("run");
        string staged;
        using (var output = CommandOutput.Directory(run, force: false))
            staged = Path.Combine(output.Path, "figures", "loss.png");
        Assert.Contains(".thermo-tmp-", staged);
        Assert.Equal($"cannot write '{Path.Combine(run, "figures", "loss.png")}'", CliAction.Message(new IOException($"cannot write '{staged}'")));
        Assert.Equal($"Access to the path '{dir.File("p.json")}' is denied.",
            CliAction.Message(new UnauthorizedAccessException($"Access to the path '{dir.File(".thermo-tmp-p.json.0123456789ab")}' is denied.")));
    }

    [Fact]
    public void Parameter_names_and_actual_values_of_dotnet_argument_errors_are_dropped()
    {
        Assert.Equal("count must be positive", CliAction.Message(new ArgumentException("count must be positive", "count")));
        Assert.Equal("Specified argument was out of the range of valid values.", CliAction.Message(new ArgumentOutOfRangeException("count", -1, null)));
    }

    [Fact]
    public void Records_that_reach_reports_and_messages_describe_themselves_in_words()
    {
        string objective = new BlockObjective().ToString();
        Assert.Null(UserText.Internals(objective));
        Assert.Contains("G = 64 samples per block", objective);
        var geometry = new Conv2dGeometry(1, 3, 8, 8, 4, 0);
        var e = Assert.Throws<ArgumentException>(geometry.Validate);
        Assert.Null(UserText.Internals(e.Message));
        Assert.Contains("input 3x8x8, 4 output channels, kernel 0", e.Message);
    }

    [Fact]
    public void Serializer_conversion_errors_read_as_what_was_expected()
    {
        var e = new InvalidOperationException("An element of type 'String' cannot be converted to a 'System.Int32'.");
        Assert.Equal("expected an integer, found text", CliAction.Message(e));
        Assert.True(JsonInput.IsConversionError(e));
    }
}
