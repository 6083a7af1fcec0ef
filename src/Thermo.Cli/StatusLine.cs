using System.Diagnostics;

namespace Thermo.Cli;

/// <summary>
/// One changing status on stderr (examples evaluated, the stage of a pilot): rewritten in place on a terminal; when
/// stderr goes to a file or a pipe, a plain line at most every <see cref="ProgressView.PlainInterval"/> and the last
/// status at <see cref="End"/>, so a log holds a few readable lines instead of hundreds of carriage returns.
/// </summary>
public sealed class StatusLine(TextWriter writer, bool inPlace)
{
    readonly Stopwatch clock = Stopwatch.StartNew();
    DateTime last = DateTime.MinValue;
    string? unshown;
    bool shownInPlace;

    /// <summary>The status line of this process's stderr: in place unless stderr is redirected.</summary>
    public static StatusLine Stderr() => new(Console.Error, !Console.IsErrorRedirected);

    /// <summary>Shows <paramref name="text"/> as the current status.</summary>
    public void Show(string text)
    {
        if (inPlace)
        {
            // The padding clears the tail of a longer previous status.
            writer.Write($"\r{text}        ");
            shownInPlace = true;
            return;
        }
        if (DateTime.UtcNow - last < ProgressView.PlainInterval) { unshown = text; return; }
        last = DateTime.UtcNow;
        unshown = null;
        writer.WriteLine(text);
    }

    /// <summary>Shows "done/total unit", with the time left estimated from this status line's age once work is done.</summary>
    public void Count(int done, int total, string unit)
    {
        string eta = done > 0 && done < total ? $" eta {ProgressView.Duration(clock.Elapsed.TotalSeconds * (total - done) / done)}" : "";
        Show($"{done}/{total}{(unit.Length > 0 ? " " + unit : "")}{eta}");
    }

    /// <summary>Ends the status: the line break after an in-place status, or the last status a log has not shown yet.</summary>
    public void End()
    {
        if (inPlace && shownInPlace) writer.WriteLine();
        else if (!inPlace && unshown is not null) writer.WriteLine(unshown);
        unshown = null;
        shownInPlace = false;
    }
}
