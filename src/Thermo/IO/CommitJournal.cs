using System.Text.Json;
using System.Text.Json.Nodes;

namespace Thermo.IO;

/// <summary>
/// Replaces a group of files in one directory as a unit (a manifest and its tensor file, or a set of program files):
/// the new files are first written completely under temporary names, then a commit record
/// <c>.thermo-commit-*.json</c> listing every rename and deletion is written atomically, then the renames and
/// deletions are applied and the record is removed. Before the record exists the old files are untouched; once it
/// exists the change is decided, and <see cref="Recover"/> (which every manifest open runs) finishes it after a
/// crash. A reader therefore sees the old group or the new one, never a mixture. See docs/formats.md.
/// </summary>
public sealed class CommitJournal : IDisposable
{
    /// <summary>Prefix of commit records; one that survives a crash is finished by the next <see cref="Recover"/>.</summary>
    public const string RecordPrefix = ".thermo-commit-";

    readonly string directory;
    readonly List<(string Staged, string Target)> replacements = [];
    readonly List<string> deletions = [];
    readonly List<string> staged = [];
    bool committed;

    /// <summary>A journal for files in <paramref name="directory"/> (created if missing).</summary>
    public CommitJournal(string directory)
    {
        this.directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(this.directory);
    }

    /// <summary>
    /// A temporary path next to <paramref name="target"/> for its new content; the caller writes it completely
    /// (atomically, e.g. with <see cref="AtomicFile"/>), and <see cref="Commit"/> renames it over the target.
    /// </summary>
    public string Stage(string target)
    {
        string full = Inside(target);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, AtomicFile.TempPrefix + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..12]);
        staged.Add(temp);
        replacements.Add((temp, full));
        return temp;
    }

    /// <summary>Renames an already written file (inside the directory) over <paramref name="target"/> at commit.</summary>
    public void Replace(string stagedFile, string target)
    {
        string from = Inside(stagedFile);
        staged.Add(from);
        replacements.Add((from, Inside(target)));
    }

    /// <summary>Deletes <paramref name="target"/> (if it exists) at commit, after every rename.</summary>
    public void Delete(string target) => deletions.Add(Inside(target));

    /// <summary>Makes the change: writes the commit record, applies it, removes it.</summary>
    public void Commit()
    {
        if (committed) throw new InvalidOperationException("the journal was already committed");
        foreach (var (from, _) in replacements)
            if (!File.Exists(from)) throw new InvalidOperationException($"staged file '{from}' was not written");
        var record = new JsonObject
        {
            ["replace"] = new JsonArray(replacements.Select(r => (JsonNode)new JsonArray(Relative(r.Staged), Relative(r.Target))).ToArray()),
            ["delete"] = new JsonArray(deletions.Select(d => (JsonNode)Relative(d)!).ToArray()),
        };
        string recordPath = Path.Combine(directory, RecordPrefix + Guid.NewGuid().ToString("N")[..12] + ".json");
        AtomicFile.WriteJson(recordPath, record);
        committed = true;
        Apply(recordPath, record);
    }

    /// <summary>Deletes staged files of a journal that was never committed.</summary>
    public void Dispose()
    {
        if (committed) return;
        foreach (var f in staged)
        {
            try { File.Delete(f); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// Finishes every commit record left in <paramref name="directory"/> by a process that stopped mid-commit.
    /// Returns whether there was one. Safe to run concurrently with a committing writer: each step is idempotent.
    /// </summary>
    public static bool Recover(string directory)
    {
        if (!Directory.Exists(directory)) return false;
        bool any = false;
        foreach (var recordPath in Directory.EnumerateFiles(directory, RecordPrefix + "*.json"))
        {
            JsonObject? record;
            try { record = JsonInput.ReadFile(recordPath, $"commit record '{recordPath}'") as JsonObject; }
            catch (FileNotFoundException) { continue; }   // finished by the writer meanwhile
            catch (InvalidDataException e) { throw new InvalidDataException($"{e.Message} (it is written atomically, so it was changed by hand)"); }
            if (record is null) throw new InvalidDataException($"commit record '{recordPath}' must be a JSON object");
            Apply(recordPath, record, Path.GetFullPath(directory));
            any = true;
        }
        return any;
    }

    void Apply(string recordPath, JsonObject record) => Apply(recordPath, record, directory);

    static void Apply(string recordPath, JsonObject record, string directory)
    {
        string Resolve(JsonNode? node)
        {
            string? name = node is JsonValue v && v.TryGetValue(out string? s) ? s : null;
            string full = name is null || Path.IsPathRooted(name) ? "" : Path.GetFullPath(Path.Combine(directory, name));
            // A record that points outside its directory was not written by Thermo: refuse rather than move files there.
            if (full.Length == 0 || !full.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new InvalidDataException($"commit record '{recordPath}': '{node?.ToFiniteJson()}' is not a path inside '{directory}'");
            return full;
        }
        if (record["replace"] is not JsonArray replace || record["delete"] is not JsonArray delete)
            throw new InvalidDataException($"commit record '{recordPath}' needs 'replace' and 'delete' arrays");
        foreach (var entry in replace)
        {
            if (entry is not JsonArray { Count: 2 } pair) throw new InvalidDataException($"commit record '{recordPath}': each 'replace' entry is [staged, target]");
            string from = Resolve(pair[0]), to = Resolve(pair[1]);
            // Renaming in record order (tensor files before their manifests); a staged file that is gone was renamed
            // already, by this process before a crash or by a concurrent recovery.
            try { if (File.Exists(from)) File.Move(from, to, overwrite: true); }
            catch (FileNotFoundException) { }
        }
        foreach (var entry in delete)
        {
            string target = Resolve(entry);
            try { File.Delete(target); }
            catch (DirectoryNotFoundException) { }
        }
        AtomicFile.SyncDirectory(directory);
        try { File.Delete(recordPath); }
        catch (DirectoryNotFoundException) { }
        AtomicFile.SyncDirectory(directory);
    }

    string Inside(string path)
    {
        string full = Path.GetFullPath(path);
        if (!full.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"'{path}' is not inside '{directory}'", nameof(path));
        return full;
    }

    string Relative(string full) => Path.GetRelativePath(directory, full);
}
