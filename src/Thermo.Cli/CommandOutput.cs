using System.Runtime.InteropServices;
using Thermo.IO;

namespace Thermo.Cli;

/// <summary>
/// The one rule for everything a command writes with <c>--out</c> (docs/reliability.md, "Command output"): an
/// existing non-empty output is refused unless <c>--force</c> (or, for a resumable run, <c>--resume</c>) is given;
/// the new result is built beside the old one and replaces it only in <see cref="Commit"/>, when it is complete; a
/// command that fails or is interrupted leaves the old result as it was and no empty directory behind.
/// Run directories are built in a sibling staging directory and swapped in by two renames; files are staged in a
/// sibling directory and moved into place as one <see cref="CommitJournal"/> change, which also removes stale files
/// of the old result.
/// Ctrl-C (SIGINT) and SIGTERM end the process without running <see cref="Dispose"/>, so a handler does its work
/// first (<see cref="Interrupt"/>): it removes every unfinished output of the process and then ends it, while a
/// <see cref="Commit"/> in progress completes before the handler runs and none starts after it.
/// </summary>
public sealed partial class CommandOutput : IDisposable
{
    const string OldPrefix = ".thermo-old-";

    // Outputs of this process that are neither committed nor disposed; the signal handler cleans them up.
    static readonly object Gate = new();
    static readonly List<CommandOutput> Live = [];
    static PosixSignalRegistration[]? registrations;
    static bool interrupted;
    // Staging path → the path the user gave, for messages (kept after Dispose: the error is printed after it).
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> ShownAs = new(StringComparer.Ordinal);

    enum Kind { StagedDirectory, InPlaceDirectory, Files }

    readonly Kind kind;
    readonly string target;
    readonly string? staging;
    readonly string? firstCreated;
    readonly IReadOnlyList<string> stale;
    readonly string? marker;
    bool committed;

    /// <summary>Where the command writes: the staging directory, or the run directory itself when it runs in place.</summary>
    public string Path { get; }

    // firstCreated: the outermost directory on the way to the output that did not exist before this command,
    // removed again (with those inside it) if the command fails and leaves them empty.
    // marker: for a run written in place, the file that makes it resumable (kept when the run is interrupted).
    CommandOutput(Kind kind, string target, string? staging, string? firstCreated, IReadOnlyList<string>? stale = null, string? marker = null)
    {
        this.kind = kind; this.target = target; this.staging = staging; this.firstCreated = firstCreated;
        this.stale = stale ?? [];
        this.marker = marker;
        Path = staging ?? target;
        if (staging is not null) ShownAs[staging] = target;
        lock (Gate)
        {
            if (interrupted) throw new OperationCanceledException("interrupted");
            Live.Add(this);
            registrations ??= OperatingSystem.IsWindows() ? [] :
                [PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt)];
        }
    }

    /// <summary>A run directory that is written from scratch: staged beside <paramref name="path"/> and swapped in at <see cref="Commit"/>.</summary>
    public static CommandOutput Directory(string path, bool force, string option = "--out")
    {
        string full = RequireDirectoryPath(path, option);
        if (!force && !IsEmpty(full))
            throw new IOException($"{option} '{path}' is not empty: pass --force to replace it (the old contents stay until the new result is complete), or choose another {option}");
        return Staged(full);
    }

    /// <summary>
    /// A run directory that holds a resumable run whose checkpoint is <paramref name="marker"/>: with
    /// <paramref name="resume"/> the command continues in place; a new run into an empty or missing directory also
    /// runs in place, so that a killed run can be resumed; <paramref name="force"/> builds a new run beside an
    /// existing one and swaps it in at the end.
    /// </summary>
    public static CommandOutput Resumable(string path, bool force, bool resume, string marker, string option = "--out")
    {
        string full = RequireDirectoryPath(path, option);
        if (resume && force) throw new ArgumentException("--resume continues the run in --out and --force replaces it: give one of them");
        bool empty = IsEmpty(full);
        if (resume || empty) return new CommandOutput(Kind.InPlaceDirectory, full, null, FirstMissing(full), marker: marker);
        if (force) return Staged(full);
        string markerPath = System.IO.Path.Combine(path, marker);
        if (File.Exists(markerPath))
            throw new IOException($"'{markerPath}' exists: pass --resume to continue that run, or choose another {option} (--force replaces it once the new run is complete)");
        throw new IOException($"{option} '{path}' is not empty and holds no run to resume: pass --force to replace it (the old contents stay until the new result is complete), or choose another {option}");
    }

    /// <summary>
    /// Output files <paramref name="targets"/> (with, for a manifest, its tensor file) written together into one
    /// directory, replacing <paramref name="staleFiles"/> of an earlier result as well. Write each through
    /// <see cref="StagedFile"/>, then <see cref="Commit"/>.
    /// </summary>
    public static CommandOutput Files(bool force, IReadOnlyList<string> targets, IEnumerable<string>? staleFiles = null, string option = "--out")
    {
        if (targets.Count == 0) throw new ArgumentException("no output files");
        var full = targets.Select(System.IO.Path.GetFullPath).ToArray();
        string dir = System.IO.Path.GetDirectoryName(full[0])!;
        if (full.Any(f => System.IO.Path.GetDirectoryName(f) != dir)) throw new ArgumentException("output files must share one directory");
        foreach (var f in full)
            if (System.IO.Directory.Exists(f)) throw new IOException($"{option} '{f}' is a directory");
        var old = full.Concat((staleFiles ?? []).Select(System.IO.Path.GetFullPath)).Distinct().Where(File.Exists).ToList();
        if (!force && old.Count > 0)
            throw new IOException($"'{old[0]}' exists: pass --force to replace it{(old.Count > 1 ? $" (and {old.Count - 1} more file(s) of the same result)" : "")}, or choose another {option}");
        string? firstCreated = FirstMissing(dir);
        string staging = System.IO.Path.Combine(dir, AtomicFile.TempPrefix + "out-" + Guid.NewGuid().ToString("N")[..12]);
        // Registered before the staging directory exists, so that an interrupt from here on removes it.
        var output = new CommandOutput(Kind.Files, dir, staging, firstCreated, old.Except(full).ToList());
        System.IO.Directory.CreateDirectory(staging);
        return output;
    }

    /// <summary>An optional single output file (<c>--out FILE</c>); null when <paramref name="path"/> is null (the command prints instead).</summary>
    public static CommandOutput? OptionalFile(string? path, bool force, string option = "--out") => path is null ? null : Files(force, [path], null, option);

    /// <summary>Writes <paramref name="text"/> as the whole of output file <paramref name="target"/> and publishes it.</summary>
    public void PublishText(string target, string text)
    {
        AtomicFile.WriteAllText(StagedFile(target), text);
        Commit();
    }

    /// <summary>Where to write output file <paramref name="target"/> (same file name, in the staging directory).</summary>
    public string StagedFile(string target)
    {
        if (kind != Kind.Files) throw new InvalidOperationException("StagedFile is for file outputs");
        return System.IO.Path.Combine(staging!, System.IO.Path.GetFileName(target));
    }

    /// <summary>The final location of <paramref name="written"/>, a path under <see cref="Path"/>, for messages and summaries.</summary>
    public string Published(string written)
    {
        if (staging is null) return written;
        string rel = System.IO.Path.GetRelativePath(staging, System.IO.Path.GetFullPath(written));
        return rel == "." ? target : System.IO.Path.Combine(target, rel);
    }

    /// <summary>Publishes the complete result: swaps the staged directory or files in and removes the old ones.</summary>
    public void Commit()
    {
        // Under the lock: a signal that arrives now waits until the result is published, and none is published after one.
        lock (Gate)
        {
            if (committed) return;
            if (interrupted) throw new OperationCanceledException("interrupted");
            CommitUnderLock();
            Live.Remove(this);
        }
    }

    void CommitUnderLock()
    {
        // Fault injection for the tests of the rule "a run that fails late leaves the previous result intact".
        if (Environment.GetEnvironmentVariable("THERMO_FAULT") == "before-commit")
            throw new IOException("fault injected before the output was committed (THERMO_FAULT=before-commit)");
        switch (kind)
        {
            case Kind.InPlaceDirectory:
                break;
            case Kind.StagedDirectory:
                SwapIn();
                break;
            case Kind.Files:
                using (var journal = new CommitJournal(target))
                {
                    // Tensor files before manifests: the journal renames in this order.
                    foreach (var f in System.IO.Directory.GetFiles(staging!).Where(f => !System.IO.Path.GetFileName(f).StartsWith('.'))
                                 .OrderBy(f => f.EndsWith(".json", StringComparison.OrdinalIgnoreCase)).ThenBy(f => f, StringComparer.Ordinal))
                        journal.Replace(f, System.IO.Path.Combine(target, System.IO.Path.GetFileName(f)));
                    var replaced = System.IO.Directory.GetFiles(staging!).Select(f => System.IO.Path.Combine(target, System.IO.Path.GetFileName(f))).ToHashSet(StringComparer.Ordinal);
                    foreach (var f in stale)
                        if (!replaced.Contains(f)) journal.Delete(f);
                    journal.Commit();
                }
                TryDeleteDirectory(staging!);
                break;
        }
        committed = true;
    }

    /// <summary>Without <see cref="Commit"/>: removes the staging directory, or the run directory if this command created it and left it empty.</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            Live.Remove(this);
            if (committed) return;
            committed = true;
        }
        RemoveUnfinished();
    }

    void RemoveUnfinished()
    {
        if (staging is not null) DeleteWhileWritten(staging);
        if (firstCreated is null) return;
        // Remove the directories this command created, innermost first, as long as they are empty.
        string? dir = kind == Kind.StagedDirectory ? System.IO.Path.GetDirectoryName(target) : target;
        while (dir is not null && IsEmpty(dir))
        {
            TryDeleteDirectory(dir);
            if (dir == firstCreated) break;
            dir = System.IO.Path.GetDirectoryName(dir);
        }
    }

    /// <summary>
    /// SIGINT or SIGTERM: removes every unfinished output, as <see cref="Dispose"/> would, and ends the process (exit
    /// 130 or 143, as a shell reports a process ended by the signal). A run written in place keeps its directory only if
    /// it holds a resumable checkpoint, minus partly written files. SIGTERM is left alone while a command that stops
    /// itself at a checkpoint listens for it (<see cref="PreemptionSignal"/>).
    /// </summary>
    static void Interrupt(PosixSignalContext context)
    {
        if (context.Signal == PosixSignal.SIGTERM && PreemptionSignal.Listening) return;
        lock (Gate)
        {
            if (Live.Count == 0) return; // nothing unfinished: the signal's default action
            interrupted = true;
            string name = context.Signal == PosixSignal.SIGINT ? "interrupted (Ctrl-C)" : "terminated (SIGTERM)";
            // Say first, then remove and exit at once: writing to stderr may wait for the command's own progress output,
            // and a command thread still running in that wait could create again what was just removed.
            foreach (var output in Live) Console.Error.WriteLine($"{name}: {output.Describe()}");
            Console.Error.Flush();
            foreach (var output in Live)
            {
                output.committed = true;
                output.RemoveInterrupted();
            }
            // A write that was under way when the handler started (a directory created for a figure or a checkpoint, a
            // file renamed into place) can bring an output back: give it a moment, then remove the unfinished outputs again.
            Thread.Sleep(20);
            foreach (var output in Live) output.RemoveInterrupted();
            Live.Clear();
            context.Cancel = true;
            // Ends the process now, with no further managed code: the command's threads cannot write into what was just removed.
            if (OperatingSystem.IsWindows()) Environment.Exit(130);
            Posix.Exit(context.Signal == PosixSignal.SIGINT ? 130 : 143);
        }
    }

    void RemoveInterrupted()
    {
        if (kind == Kind.InPlaceDirectory && System.IO.Directory.Exists(target))
        {
            bool resumable = marker is not null && File.Exists(System.IO.Path.Combine(target, marker));
            if (!resumable && firstCreated is not null)
            {
                // This command created the directory and nothing in it can be resumed: it goes, with the parents it created.
                DeleteWhileWritten(target);
            }
            else
            {
                foreach (var partial in System.IO.Directory.EnumerateFileSystemEntries(target, AtomicFile.TempPrefix + "*").ToList())
                    if (System.IO.Directory.Exists(partial)) TryDeleteDirectory(partial); else TryDeleteFile(partial);
            }
        }
        RemoveUnfinished();
    }

    string Describe() => kind switch
    {
        Kind.InPlaceDirectory when marker is not null && File.Exists(System.IO.Path.Combine(target, marker)) => $"'{target}' keeps its last checkpoint; --resume continues the run",
        Kind.InPlaceDirectory => System.IO.Directory.Exists(target) && firstCreated is null ? $"removed the unfinished files in '{target}'" : $"removed the unfinished run directory '{target}'",
        Kind.StagedDirectory => $"removed the unfinished output; '{target}' is {(System.IO.Directory.Exists(target) ? "unchanged" : "not created")}",
        _ => $"removed the unfinished output; nothing in '{target}' was changed",
    };

    static void TryDeleteFile(string file)
    {
        try { File.Delete(file); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    static partial class Posix
    {
        [LibraryImport("libc", EntryPoint = "_exit")]
        internal static partial void Exit(int status);
    }

    /// <summary>
    /// <paramref name="message"/> with the user's paths in place of this process's staging directories and of
    /// <see cref="AtomicFile"/>'s temporary names (<c>.thermo-tmp-NAME.0123456789ab</c> → <c>NAME</c>).
    /// </summary>
    public static string ForUser(string message)
    {
        foreach (var (staging, target) in ShownAs.OrderByDescending(p => p.Key.Length))
            message = message.Replace(staging, target, StringComparison.Ordinal);
        return AtomicFile.UserPath(message);
    }

    static string? FirstMissing(string dir)
    {
        if (System.IO.Directory.Exists(dir)) return null;
        string missing = dir;
        for (string? up = System.IO.Path.GetDirectoryName(dir); up is not null && !System.IO.Directory.Exists(up); up = System.IO.Path.GetDirectoryName(up))
            missing = up;
        return missing;
    }

    static CommandOutput Staged(string full)
    {
        string parent = System.IO.Path.GetDirectoryName(full)!;
        string? firstCreated = FirstMissing(parent);
        string staging = System.IO.Path.Combine(parent, AtomicFile.TempPrefix + System.IO.Path.GetFileName(full) + "-" + Guid.NewGuid().ToString("N")[..12]);
        var output = new CommandOutput(Kind.StagedDirectory, full, staging, firstCreated);
        System.IO.Directory.CreateDirectory(staging);
        return output;
    }

    // Two renames: the old directory steps aside, the new one takes its name. A crash between them leaves the
    // old result complete under .thermo-old-NAME-* beside the run directory (docs/reliability.md).
    void SwapIn()
    {
        string parent = System.IO.Path.GetDirectoryName(target)!;
        string? aside = null;
        if (System.IO.Directory.Exists(target))
        {
            aside = System.IO.Path.Combine(parent, OldPrefix + System.IO.Path.GetFileName(target) + "-" + Guid.NewGuid().ToString("N")[..12]);
            System.IO.Directory.Move(target, aside);
        }
        try
        {
            System.IO.Directory.Move(staging!, target);
        }
        catch
        {
            if (aside is not null) System.IO.Directory.Move(aside, target);
            throw;
        }
        AtomicFile.SyncDirectory(parent);
        if (aside is not null) TryDeleteDirectory(aside);
    }

    static string RequireDirectoryPath(string path, string option)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException($"{option} must name a directory");
        string full = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));
        if (File.Exists(full)) throw new IOException($"{option} '{path}' is a file, not a directory");
        if (System.IO.Path.GetDirectoryName(full) is null) throw new ArgumentException($"{option} '{path}' is a file-system root; choose a directory inside it");
        return full;
    }

    static bool IsEmpty(string dir) => !System.IO.Directory.Exists(dir) || !System.IO.Directory.EnumerateFileSystemEntries(dir).Any();

    // A command thread may still be writing into the directory while the signal handler removes it: a file created
    // during the recursive delete makes the last rmdir fail (directory not empty). Delete again until it is gone
    // (at most about a second; the handler then ends the process at once).
    static void DeleteWhileWritten(string dir)
    {
        for (int attempt = 0; attempt < 100 && System.IO.Directory.Exists(dir); attempt++)
        {
            if (attempt > 0) Thread.Sleep(10);
            TryDeleteDirectory(dir);
        }
    }

    static void TryDeleteDirectory(string dir)
    {
        try { System.IO.Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
