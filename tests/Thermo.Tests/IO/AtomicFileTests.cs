using System.Text.Json.Nodes;
using Thermo.IO;

namespace Thermo.Tests.IO;

public class AtomicFileTests : IDisposable
{
    readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    [Fact]
    public void Writes_new_file_and_leaves_no_temp_files()
    {
        string path = dir.File("a.bin");
        AtomicFile.WriteAllBytes(path, new byte[] { 1, 2, 3 });
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Equal(["a.bin"], dir.Listing());
    }

    [Fact]
    public void Replaces_existing_file_completely()
    {
        string path = dir.File("a.txt");
        File.WriteAllText(path, new string('x', 10_000));
        AtomicFile.WriteAllText(path, "short");
        Assert.Equal("short", File.ReadAllText(path));
    }

    [Fact]
    public void Writer_throwing_midway_leaves_old_file_intact_and_no_temp_files()
    {
        string path = dir.File("model.safetensors");
        File.WriteAllText(path, "old content");
        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[100_000]);
            s.Flush();
            throw new InvalidOperationException("disk full (simulated)");
        }));
        Assert.Equal("disk full (simulated)", e.Message);
        Assert.Equal("old content", File.ReadAllText(path));
        Assert.Equal(["model.safetensors"], dir.Listing());
    }

    [Fact]
    public void Writer_throwing_on_a_new_path_creates_nothing()
    {
        string path = dir.File("new.json");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, s => { s.WriteByte(1); throw new IOException("boom"); }));
        Assert.Empty(dir.Listing());
    }

    [Fact]
    public void Json_helpers_write_indented_utf8_without_bom()
    {
        string path = dir.File("m.json");
        AtomicFile.WriteJson(path, new JsonObject { ["name"] = "δ-gradient ✓", ["n"] = 3 });
        var bytes = File.ReadAllBytes(path);
        Assert.NotEqual(0xEF, bytes[0]);
        var node = JsonNode.Parse(bytes)!;
        Assert.Equal("δ-gradient ✓", (string)node["name"]!);
        Assert.Equal(3, (int)node["n"]!);
    }

    [Fact]
    public void Creates_missing_parent_directories()
    {
        string path = Path.Combine(dir.Path, "runs", "r1", "ckpt.bin");
        AtomicFile.WriteAllBytes(path, new byte[] { 7 });
        Assert.Equal(new byte[] { 7 }, File.ReadAllBytes(path));
    }

    [Fact]
    public void Refuses_to_replace_a_directory()
    {
        Directory.CreateDirectory(dir.File("d"));
        Assert.Throws<IOException>(() => AtomicFile.WriteAllText(dir.File("d"), "x"));
        Assert.True(Directory.Exists(dir.File("d")));
    }
}
