using Spectre.Console;
using Thermo.Training;

namespace Thermo.Cli;

/// <summary>
/// Shows training progress: a live Spectre.Console bar on an interactive terminal, otherwise one plain line
/// at most every <see cref="PlainInterval"/> and at every epoch end (logs and CI stay readable).
/// </summary>
public sealed class ProgressView
{
    /// <summary>Minimum time between plain progress lines.</summary>
    public static TimeSpan PlainInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>True when stdout is a terminal and not redirected (and --json was not asked).</summary>
    public static bool Interactive(bool json) => !json && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/> reporting its progress events.</summary>
    public static T Run<T>(string title, bool quiet, bool json, Func<Action<TrainProgress>, T> work)
    {
        if (quiet) return work(_ => { });
        if (Interactive(json))
        {
            T result = default!;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(title), maxValue: 1);
                    result = work(p =>
                    {
                        long total = (long)p.Epochs * p.BatchesPerEpoch;
                        task.MaxValue = Math.Max(1, total);
                        task.Value = Math.Min(total, (long)p.Epoch * p.BatchesPerEpoch + p.Batch);
                        task.Description = Markup.Escape($"{title}  epoch {p.Epoch + 1}/{p.Epochs}  loss {p.Loss:F4}  {p.ImagesPerSecond:F0} img/s"
                            + (p.ValidationAccuracy is double v ? $"  test {v * 100:F2}%" : ""));
                        if (p.ValidationAccuracy is double va)
                            AnsiConsole.MarkupLine(Markup.Escape($"epoch {p.Epoch + 1}: loss {p.Loss:F4}, test accuracy {va * 100:F2}%"));
                    });
                });
            return result;
        }
        var last = DateTime.MinValue;
        var writer = json ? Console.Error : Console.Out;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long? firstStep = null;
        return work(p =>
        {
            // The first event's step is the start of this process's share (a resumed run starts past 0).
            firstStep ??= p.Step;
            bool epochEnd = p.ValidationAccuracy is not null || p.Batch == p.BatchesPerEpoch;
            if (!epochEnd && DateTime.UtcNow - last < PlainInterval) return;
            last = DateTime.UtcNow;
            string metrics = string.Join(" ", p.Metrics.Select(kv => $"{kv.Key} {kv.Value:G4}"));
            long left = (long)p.Epochs * p.BatchesPerEpoch - ((long)p.Epoch * p.BatchesPerEpoch + p.Batch);
            double done = p.Step - firstStep.Value, seconds = clock.Elapsed.TotalSeconds;
            string eta = done > 0 && left > 0 ? $" eta {Duration(left * seconds / done)}" : "";
            writer.WriteLine($"epoch {p.Epoch + 1}/{p.Epochs} batch {p.Batch}/{p.BatchesPerEpoch} step {p.Step} loss {p.Loss:F4} lr {p.LearningRate:G3} {p.ImagesPerSecond:F0} img/s{eta} {metrics}"
                + (p.ValidationAccuracy is double v ? $" test_accuracy {v * 100:F2}%" : ""));
        });
    }

    /// <summary>A duration as the progress lines show it: 42s, 4m10s, 2h13m.</summary>
    public static string Duration(double seconds)
    {
        long s = (long)Math.Round(Math.Max(0, seconds));
        return s < 60 ? $"{s}s" : s < 3600 ? $"{s / 60}m{s % 60:D2}s" : $"{s / 3600}h{s / 60 % 60:D2}m";
    }
}
