using System.Diagnostics;
using Thermo.IO;

namespace Thermo.Reports;

/// <summary>
/// Checks that report.html renders by screenshotting it with a headless Chromium (Debian: <c>apt-get install
/// chromium</c>). Used by <c>thermo report --open-check</c> and by the tests, which skip when no browser is found.
/// </summary>
public static class HeadlessBrowser
{
    /// <summary>Environment variable naming the browser executable, checked before the usual names on PATH.</summary>
    public const string EnvironmentVariable = "THERMO_BROWSER";

    static readonly string[] Candidates = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"];

    /// <summary>Full path of a Chromium-family browser, or null if there is none.</summary>
    public static string? Find()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
            return File.Exists(configured) ? Path.GetFullPath(configured) : null;
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var name in Candidates)
            foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                string candidate = Path.Combine(dir, name);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    /// <summary>
    /// Renders <paramref name="htmlPath"/> in a <paramref name="width"/>×<paramref name="height"/> window and writes the
    /// screenshot (PNG) to <paramref name="pngPath"/> atomically. Throws <see cref="InvalidOperationException"/> with
    /// the browser's output if it fails or takes longer than <paramref name="timeout"/> (default 60 s).
    /// </summary>
    public static void Screenshot(string browser, string htmlPath, string pngPath, int width = 1280, int height = 2000, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(browser);
        if (!File.Exists(htmlPath)) throw new FileNotFoundException($"'{htmlPath}' does not exist", htmlPath);
        if (width is < 64 or > 8192 || height is < 64 or > 16384) throw new ArgumentOutOfRangeException(nameof(width), $"window {width}×{height} is out of range");
        // A private profile per call: parallel runs must not fight over one profile lock.
        var profile = Directory.CreateTempSubdirectory("thermo-browser-");
        string shot = Path.Combine(profile.FullName, "screenshot.png");
        try
        {
            var start = new ProcessStartInfo(browser)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--mute-audio",
                "--user-data-dir=" + profile.FullName, "--screenshot=" + shot, $"--window-size={width},{height}",
                new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri,
            }) start.ArgumentList.Add(arg);
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start '{browser}'");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"'{browser}' did not finish the screenshot of '{htmlPath}' within {(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds} s");
            }
            process.WaitForExit();
            if (!File.Exists(shot) || new FileInfo(shot).Length == 0)
                throw new InvalidOperationException($"'{browser}' exited with code {process.ExitCode} without a screenshot of '{htmlPath}':\n{Tail(stderr.Result + stdout.Result)}");
            AtomicFile.WriteAllBytes(pngPath, File.ReadAllBytes(shot));
        }
        finally
        {
            try { profile.Delete(recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// Screenshots <paramref name="htmlPath"/> into <paramref name="pngPath"/> and checks that the page is not blank:
    /// at least 1% of the pixels must differ from white. Throws <see cref="InvalidOperationException"/> otherwise.
    /// </summary>
    public static PageCheck CheckPage(string browser, string htmlPath, string pngPath, int width = 1280, int height = 2000)
    {
        Screenshot(browser, htmlPath, pngPath, width, height);
        var image = StbImageSharp.ImageResult.FromMemory(File.ReadAllBytes(pngPath), StbImageSharp.ColorComponents.RedGreenBlue);
        long ink = 0;
        var data = image.Data;
        for (int i = 0; i + 2 < data.Length; i += 3)
            if (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235) ink++;
        double fraction = (double)ink / ((long)image.Width * image.Height);
        if (fraction < 0.01)
            throw new InvalidOperationException($"the screenshot of '{htmlPath}' is blank ({fraction:P2} of the pixels are not white): the page did not render");
        return new PageCheck(pngPath, image.Width, image.Height, fraction);
    }

    static string Tail(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 12)));
    }
}
