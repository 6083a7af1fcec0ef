using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Thermo.IO;
using Thermo.Tensors;

namespace Thermo.Tests.IO;

public class TensorManifestTests : IDisposable
{
    const string Format = "thermo.test-program";
    readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    string SavePair(string name = "program.json")
    {
        var w = new SafetensorsWriter();
        w.Add<sbyte>("blocks.0.J", new sbyte[] { -3, 0, 7, 127, -128, 1 }, [2, 3]);
        w.Add("blocks.0.h", new Tensor([0.5f, -0.25f], 2));
        string path = dir.File(name);
        TensorManifest.Save(path, Format, 1, new JsonObject
        {
            ["delta"] = 0.5,
            ["name"] = "δ-net ✓",
            ["blocks"] = new JsonArray(new JsonObject { ["inputs"] = 3, ["outputs"] = 2 }),
        }, w);
        return path;
    }

    [Fact]
    public void Pair_round_trips_with_content_declarations_and_typed_tensors()
    {
        string path = SavePair();
        Assert.Equal(["program.json", "program.safetensors"], dir.Listing());
        using var m = TensorManifest.Open(path, Format, maxVersion: 1);
        Assert.Equal(1, m.Version);
        Assert.Equal(0.5, m.Get<double>("delta"));
        Assert.Equal("δ-net ✓", m.Get<string>("name"));
        Assert.Equal(3, (int)m.Content["blocks"]![0]!["inputs"]!);
        Assert.False(m.Content.ContainsKey("tensors"));
        Assert.Equal(["blocks.0.J", "blocks.0.h"], m.Declared.Select(d => d.Name));
        m.Require("blocks.0.J", SafetensorsDType.I8, 2, 3);
        Assert.Equal(new sbyte[] { -3, 0, 7, 127, -128, 1 }, m.Tensors.ReadArray<sbyte>("blocks.0.J"));
        m.Expect([new TensorSpec("blocks.0.J", [2, 3], SafetensorsDType.I8), new TensorSpec("blocks.0.h", [2])]);
    }

    [Fact]
    public void Consumer_expectations_are_checked_with_one_listing_error()
    {
        using var m = TensorManifest.Open(SavePair(), Format, 1);
        var e = Assert.Throws<InvalidDataException>(() => m.Expect([new TensorSpec("blocks.0.J", [3, 2], SafetensorsDType.I8), new TensorSpec("blocks.1.J", [2, 2], SafetensorsDType.I8)]));
        Assert.Contains("blocks.0.J: expected I8[3, 2], found I8[2, 3]", e.Message);
        Assert.Contains("missing (1): blocks.1.J I8[2, 2]", e.Message);
        Assert.Contains("unexpected (1): blocks.0.h [2]", e.Message);
        e = Assert.Throws<InvalidDataException>(() => m.Require("blocks.0.h", SafetensorsDType.I8, 2));
        Assert.Contains("is F32[2], expected I8[2]", e.Message);
        e = Assert.Throws<InvalidDataException>(() => m.Get<int>("name"));
        Assert.Contains("'name' must be an integer that fits Int32, found \"δ-net ✓\"", e.Message);
        e = Assert.Throws<InvalidDataException>(() => m.Get<int>("absent"));
        Assert.Contains("'absent' is missing", e.Message);
    }

    [Fact]
    public void Tensor_file_replaced_separately_is_caught_by_checksum_and_by_declarations()
    {
        string path = SavePair();
        var other = new SafetensorsWriter();
        other.Add<sbyte>("blocks.0.J", new sbyte[6], [3, 2]);
        other.Add("blocks.0.h", new Tensor([0f, 0f], 2));
        other.Save(TensorManifest.TensorsPathFor(path));
        var e = Assert.Throws<InvalidDataException>(() => TensorManifest.Open(path, Format, 1));
        Assert.Contains("not written together", e.Message);
        e = Assert.Throws<InvalidDataException>(() => TensorManifest.Open(path, Format, 1, verifyChecksum: false));
        Assert.Contains("disagree", e.Message);
        Assert.Contains("blocks.0.J: expected I8[2, 3], found I8[3, 2]", e.Message);
    }

    [Fact]
    public void Reserved_keys_in_content_are_refused()
    {
        Assert.Throws<ArgumentException>(() => TensorManifest.Save(dir.File("x.json"), Format, 1, new JsonObject { ["tensors"] = 1 }, new SafetensorsWriter()));
        Assert.Empty(dir.Listing());
    }

    static string Edit(string path, Func<JsonObject, JsonObject> edit)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        File.WriteAllText(path, edit(root).ToJsonString());
        return path;
    }

    public static TheoryData<string, string> HostileEdits() => new()
    {
        { "parent", "must be a plain file name" },
        { "absolute", "must be a plain file name" },
        { "absent", "does not exist" },
        { "format", "expected \"thermo.test-program\"" },
        { "version", "newer than this Thermo reads" },
        { "version-text", "'version' must be a positive integer" },
        { "dtype", "unknown dtype 'I9'" },
        { "shape", "must be a non-negative 32-bit integer" },
        { "tensors", "'tensors' must be an object" },
    };

    [Theory]
    [MemberData(nameof(HostileEdits))]
    public void Hostile_manifest_fields_are_refused_clearly(string edit, string expected)
    {
        string path = Edit(SavePair(), root =>
        {
            switch (edit)
            {
                case "parent": root["tensors_file"] = "../program.safetensors"; break;
                case "absolute": root["tensors_file"] = "/etc/passwd"; break;
                case "absent": root["tensors_file"] = "nothing.safetensors"; break;
                case "format": root["format"] = "thermo.other"; break;
                case "version": root["version"] = 2; break;
                case "version-text": root["version"] = "1"; break;
                case "dtype": root["tensors"]!["blocks.0.J"]!["dtype"] = "I9"; break;
                case "shape": root["tensors"]!["blocks.0.J"]!["shape"] = new JsonArray(2, -3); break;
                case "tensors": root["tensors"] = new JsonArray(); break;
            }
            return root;
        });
        var e = Assert.Throws<InvalidDataException>(() => TensorManifest.Open(path, Format, 1).Dispose());
        Assert.Contains(expected, e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Duplicate_keys_and_invalid_utf8_are_refused()
    {
        string path = SavePair();
        string text = File.ReadAllText(path);
        File.WriteAllText(path, text.Replace("\"delta\": 0.5,", "\"delta\": 0.5, \"delta\": 0.7,"));
        var e = Assert.Throws<InvalidDataException>(() => TensorManifest.Open(path, Format, 1).Dispose());
        Assert.Contains(path, e.Message);
        Assert.Contains("key \"delta\" appears twice", e.Message);

        var bytes = Encoding.UTF8.GetBytes(text);
        bytes[text.IndexOf("delta", StringComparison.Ordinal)] = 0xFF;
        File.WriteAllBytes(path, bytes);
        e = Assert.Throws<InvalidDataException>(() => TensorManifest.Open(path, Format, 1).Dispose());
        Assert.Contains("not valid UTF-8", e.Message);
    }

    [Fact]
    public void Oversized_manifest_is_refused_before_reading()
    {
        string path = dir.File("huge.json");
        using (var f = File.Create(path)) f.SetLength(TensorManifest.MaxManifestBytes + 1); // sparse: costs no disk
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => TensorManifest.Open(path, Format, 1).Dispose());
        Assert.Contains("limit for manifests", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }

    [Fact]
    public void Damaged_manifests_give_a_valid_pair_or_a_clear_error()
    {
        string path = SavePair();
        var valid = File.ReadAllBytes(path);
        Gen.Select(HostileFiles.DamageGen, Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue]).Sample((damage, a, b) =>
        {
            var bytes = damage switch
            {
                HostileFiles.Damage.Truncate => valid[..(a % valid.Length)],
                HostileFiles.Damage.FlipBits or HostileFiles.Damage.OversizeHeaderLength => HostileFiles.Corrupt(valid, HostileFiles.Damage.FlipBits, a, b, 0),
                _ => SmashJson(valid, a, b),
            };
            File.WriteAllBytes(path, bytes);
            try
            {
                using var m = TensorManifest.Open(path, Format, 1);
                foreach (var d in m.Declared) m.Tensors.ReadTensor(d.Name);
            }
            catch (InvalidDataException e)
            {
                Assert.Contains(path, e.Message);
            }
        }, iter: 150, threads: 1);
    }

    static byte[] SmashJson(byte[] valid, int a, int b)
    {
        const string specials = "{}[]\",:-0.e \\/";
        var bytes = (byte[])valid.Clone();
        bytes[a % bytes.Length] = (byte)specials[b % specials.Length];
        return bytes;
    }
}
