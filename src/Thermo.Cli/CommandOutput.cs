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
/// </summary>
public sealed class CommandOutput : IDisposable
{
    const string OldPrefix = ".thermo-old-";

    enum Kind { StagedDirectory, InPlaceDirectory, Files }

    readonly Kind kind;
    readonly string target;
    readonly string? staging;
    readonly string? firstCreated;
    readonly IReadOnlyList<string> stale;
    bool committed;

    /// <summary>Where the command writes: the staging directory, or the run directory itself when it runs in place.</summary>
    public string Path { get; }

    // firstCreated: the outermost directory on the way to the output that did not exist before this command,
    // removed again (with those inside it) if the command fails and leaves them empty.
    CommandOutput(Kind kind, string target, string? staging, string? firstCreated, IReadOnlyList<string>? stale = null)
    {
        this.kind = kind; this.target = target; this.staging = staging; this.firstCreated = firstCreated;
        this.stale = stale ?? [];
        Path = staging ?? target;
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
        if (resume || empty) return new CommandOutput(Kind.InPlaceDirectory, full, null, FirstMissing(full));
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
        System.IO.Directory.CreateDirectory(staging);
        return new CommandOutput(Kind.Files, dir, staging, firstCreated, old.Except(full).ToList());
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
        if (committed) return;
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
        if (committed) return;
        committed = true;
        if (staging is not null) TryDeleteDirectory(staging);
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
        System.IO.Directory.CreateDirectory(staging);
        return new CommandOutput(Kind.StagedDirectory, full, staging, firstCreated);
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

    static void TryDeleteDirectory(string dir)
    {
        try { System.IO.Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
