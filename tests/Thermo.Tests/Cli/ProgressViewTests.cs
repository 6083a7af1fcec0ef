using System.Text.RegularExpressions;
using Thermo.Cli;
using Thermo.Training;

namespace Thermo.Tests.Cli;

/// <summary>The plain progress lines (logs, redirected output): what they report and the remaining-time estimate.</summary>
[Collection(ConsoleCollection.Name)]
public class ProgressViewTests
{
    [Theory]
    [InlineData(0.2, "0s")]
    [InlineData(42.4, "42s")]
    [InlineData(250, "4m10s")]
    [InlineData(3599.4, "59m59s")]
    [InlineData(7980, "2h13m")]
    [InlineData(-5, "0s")]
    public void Durations_read_as_seconds_minutes_or_hours(double seconds, string shown) =>
        Assert.Equal(shown, ProgressView.Duration(seconds));

    [Fact]
    public void Plain_lines_estimate_the_time_left_from_this_process_steps_and_omit_it_before_any_step()
    {
        var saved = (ProgressView.PlainInterval, Console.Out);
        var output = new StringWriter();
        try
        {
            ProgressView.PlainInterval = TimeSpan.Zero;
            Console.SetOut(output);
            var metrics = new Dictionary<string, double>();
            // A resumed run: this process starts at step 300 of 4 × 100.
            ProgressView.Run("t", quiet: false, json: false, report =>
            {
                report(new TrainProgress(3, 4, 0, 100, 300, 1.5, 1e-3, 100, metrics));
                Thread.Sleep(50);
                report(new TrainProgress(3, 4, 50, 100, 350, 1.4, 1e-3, 100, metrics));
                report(new TrainProgress(3, 4, 100, 100, 400, 1.3, 1e-3, 100, metrics, 0.5));
                return 0;
            });
        }
        finally { (ProgressView.PlainInterval, var previous) = saved; Console.SetOut(previous); }
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.DoesNotContain(" eta ", lines[0]);
        // 50 steps done in this process and 50 left: an estimate appears (50 ms per 50 steps rounds to 0s).
        var eta = Regex.Match(lines[1], @"img/s eta (\d+)s ");
        Assert.True(eta.Success, lines[1]);
        Assert.DoesNotContain(" eta ", lines[2]);
        Assert.EndsWith("test_accuracy 50.00%", lines[2].TrimEnd());
    }
}
