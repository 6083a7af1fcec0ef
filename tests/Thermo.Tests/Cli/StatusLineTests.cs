using System.Text.RegularExpressions;
using Thermo.Cli;

namespace Thermo.Tests.Cli;

/// <summary>
/// The status line of eval, schedule and Langevin commands: carriage returns on a terminal only, a few plain lines in a
/// log, and the last status never lost.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class StatusLineTests
{
    [Fact]
    public void A_log_gets_one_line_per_interval_and_the_last_status_at_the_end()
    {
        var saved = ProgressView.PlainInterval;
        var log = new StringWriter();
        try
        {
            ProgressView.PlainInterval = TimeSpan.FromHours(1);
            var status = new StatusLine(log, inPlace: false);
            for (int done = 100; done <= 1000; done += 100) status.Count(done, 1000, "examples");
            status.End();
        }
        finally { ProgressView.PlainInterval = saved; }
        string text = log.ToString();
        Assert.DoesNotContain('\r', text);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // The first status is shown at once, the next eight fall inside the interval, and End shows the last.
        Assert.Equal(2, lines.Length);
        Assert.Matches(new Regex(@"^100/1000 examples eta \d+s$"), lines[0]);
        Assert.Equal("1000/1000 examples", lines[1]);
    }

    [Fact]
    public void A_log_line_already_shown_is_not_repeated_at_the_end()
    {
        var saved = ProgressView.PlainInterval;
        var log = new StringWriter();
        try
        {
            ProgressView.PlainInterval = TimeSpan.Zero;
            var status = new StatusLine(log, inPlace: false);
            status.Show("pilot 1/2");
            status.Show("pilot 2/2");
            status.End();
        }
        finally { ProgressView.PlainInterval = saved; }
        Assert.Equal(["pilot 1/2", "pilot 2/2"], log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_terminal_rewrites_one_line_in_place_and_breaks_it_once_at_the_end()
    {
        var terminal = new StringWriter();
        var status = new StatusLine(terminal, inPlace: true);
        status.Count(0, 2, "inputs");
        status.Count(2, 2, "inputs");
        status.End();
        status.End();
        string text = terminal.ToString();
        Assert.Equal(2, text.Count(c => c == '\r'));
        Assert.Equal(1, text.Count(c => c == '\n'));
        Assert.StartsWith("\r0/2 inputs ", text);
        Assert.Contains("\r2/2 inputs ", text);
    }

    [Fact]
    public void Ending_a_status_that_never_showed_writes_nothing()
    {
        var terminal = new StringWriter();
        new StatusLine(terminal, inPlace: true).End();
        new StatusLine(terminal, inPlace: false).End();
        Assert.Equal("", terminal.ToString());
    }
}
