using System.Text.Json.Nodes;
using Thermo.IO;
using Thermo.Tensors;

namespace Thermo.Tests.IO;

/// <summary>
/// A manifest pair (JSON + safetensors) is replaced as a unit: after a failed or interrupted save a reader finds the
/// complete old pair or the complete new one, never new tensors under an old manifest (docs/formats.md, "Replacing a pair").
/// </summary>
public sealed class ManifestPairReplacementTests : IDisposable
{
    const string Format = "thermo.test-pair";
    readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    static SafetensorsWriter Tensors(float value, int length)
    {
        var w = new SafetensorsWriter();
        w.Add("h", new Tensor(Enumerable.Repeat(value, length).ToArray(), length));
        return w;
    }

    static float[] ReadH(string path)
    {
        using var m = TensorManifest.Open(path, Format, 1);
        return m.Tensors.ReadArray<float>("h");
    }

    [Fact]
    public void A_save_that_fails_at_the_manifest_leaves_the_old_pair_readable_and_no_temporary_files()
    {
        string path = dir.File("model.json");
        TensorManifest.Save(path, Format, 1, new JsonObject { ["note"] = "old" }, Tensors(1f, 2));
        var before = dir.Listing();

        // A manifest value that cannot be written fails only after the new tensor file is complete: the late failure of issue 12.
        Assert.ThrowsAny<InvalidOperationException>(() => TensorManifest.Save(path, Format, 1, new JsonObject { ["note"] = JsonValue.Create(new Unwritable()) }, Tensors(2f, 3)));

        Assert.Equal(before, dir.Listing());
        Assert.Equal([1f, 1f], ReadH(path));
    }

    [Fact]
    public void A_commit_interrupted_between_its_renames_is_finished_by_the_next_open()
    {
        string path = dir.File("model.json");
        TensorManifest.Save(path, Format, 1, new JsonObject { ["note"] = "old" }, Tensors(1f, 2));
        // The state a crash leaves after the commit record and the first rename: new tensors in place, new manifest staged.
        string staging = dir.File(".thermo-tmp-crash");
        TensorManifest.Save(Path.Combine(staging, "model.json"), Format, 1, new JsonObject { ["note"] = "new" }, Tensors(2f, 3));
        File.Move(Path.Combine(staging, "model.safetensors"), dir.File("model.safetensors"), overwrite: true);
        File.WriteAllText(dir.File(CommitJournal.RecordPrefix + "crash.json"), """
            {"replace": [[".thermo-tmp-crash/model.safetensors", "model.safetensors"], [".thermo-tmp-crash/model.json", "model.json"]], "delete": []}
            """);

        Assert.Equal([2f, 2f, 2f], ReadH(path));
        Assert.DoesNotContain(dir.Listing(), name => name.StartsWith(CommitJournal.RecordPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public void A_save_replaces_both_files_and_leaves_only_the_pair()
    {
        string path = dir.File("model.json");
        TensorManifest.Save(path, Format, 1, new JsonObject(), Tensors(1f, 2));
        TensorManifest.Save(path, Format, 1, new JsonObject(), Tensors(3f, 4));
        Assert.Equal([3f, 3f, 3f, 3f], ReadH(path));
        Assert.Equal(["model.json", "model.safetensors"], dir.Listing());
    }

    [Fact]
    public void A_commit_record_that_points_outside_its_directory_is_refused_and_moves_nothing()
    {
        string path = dir.File("sub/model.json");
        TensorManifest.Save(path, Format, 1, new JsonObject(), Tensors(1f, 2));
        File.WriteAllText(dir.File("victim.txt"), "keep");
        File.WriteAllText(dir.File("sub/" + CommitJournal.RecordPrefix + "evil.json"), """{"replace": [], "delete": ["../victim.txt"]}""");

        var e = Assert.Throws<InvalidDataException>(() => TensorManifest.Open(path, Format, 1).Dispose());
        Assert.Contains("is not a path inside", e.Message);
        Assert.Equal("keep", File.ReadAllText(dir.File("victim.txt")));
    }

    /// <summary>A value whose serialisation throws, standing in for any failure while the manifest is written.</summary>
    public sealed class Unwritable
    {
        public int Value => throw new InvalidOperationException("cannot be written");
    }
}
