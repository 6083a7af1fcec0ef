using System.Buffers.Binary;
using System.Text;
using Thermo.IO;
using Thermo.Tensors;

namespace Thermo.Tests.IO;

public class SafetensorsTests : IDisposable
{
    readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    [Fact]
    public void Float_tensors_round_trip_bit_exactly_including_scalars_and_empty_tensors()
    {
        var tensors = new List<(string, Tensor)>
        {
            ("w", new Tensor([1.5f, -2f, float.NaN, float.PositiveInfinity, -0f, float.Epsilon], 2, 3)),
            ("scalar", new Tensor([42f])),
            ("empty", new Tensor([], 0)),
            ("empty2d", new Tensor([], 3, 0)),
            ("layers.0.bias", new Tensor([0.25f], 1)),
        };
        string path = dir.File("t.safetensors");
        Safetensors.Save(path, tensors);
        var (loaded, metadata) = Safetensors.Load(path);
        Assert.Empty(metadata);
        Assert.Equal(tensors.Count, loaded.Count);
        foreach (var (name, t) in tensors)
        {
            Assert.Equal(t.Shape, loaded[name].Shape);
            Assert.Equal(t.Data.Select(BitConverter.SingleToInt32Bits), loaded[name].Data.Select(BitConverter.SingleToInt32Bits));
        }
        Assert.Empty(loaded["scalar"].Shape);
    }

    [Fact]
    public void Unicode_metadata_and_names_round_trip()
    {
        var w = new SafetensorsWriter();
        w.Add("β·J/δ", new Tensor([1f], 1));
        w.Metadata["note"] = "温度 δ=0.5, β → ∞ 🔥 \"quoted\" \\ back\nslash";
        w.Metadata["empty"] = "";
        string path = dir.File("u.safetensors");
        w.Save(path);
        using var r = SafetensorsReader.Open(path);
        Assert.Equal(w.Metadata["note"], r.Metadata["note"]);
        Assert.Equal("", r.Metadata["empty"]);
        Assert.Equal([1f], r.ReadFloats("β·J/δ"));
    }

    [Fact]
    public void Every_writable_dtype_round_trips_exactly_and_converts_to_float()
    {
        var w = new SafetensorsWriter();
        w.Add<sbyte>("i8", new sbyte[] { -128, -1, 0, 127 }, [2, 2]);
        w.Add<byte>("u8", new byte[] { 0, 1, 255 }, [3]);
        w.Add<int>("i32", new[] { int.MinValue, -7, 1 << 20 }, [3]);
        w.Add<long>("i64", new[] { -5L, 1L << 40 }, [2]);
        w.Add<Half>("f16", new[] { (Half)0.5f, (Half)(-3.25f) }, [2]);
        w.Add<double>("f64", new[] { Math.PI }, []);
        w.Add<short>("i16", new short[] { -300 }, [1]);
        w.Add<ushort>("u16", new ushort[] { 65535 }, [1]);
        w.Add<uint>("u32", new uint[] { 4_000_000_000 }, [1]);
        w.Add<float>("f32", new[] { 1f, 2f }, [1, 2]);
        var bf16 = new byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(bf16, (ushort)(BitConverter.SingleToInt32Bits(1.5f) >> 16));
        BinaryPrimitives.WriteUInt16LittleEndian(bf16.AsSpan(2), (ushort)(BitConverter.SingleToInt32Bits(-256f) >> 16));
        w.AddRaw("bf16", SafetensorsDType.BF16, bf16, [2]);
        string path = dir.File("d.safetensors");
        w.Save(path);

        using var r = SafetensorsReader.Open(path);
        Assert.Equal(new sbyte[] { -128, -1, 0, 127 }, r.ReadArray<sbyte>("i8"));
        Assert.Equal(new byte[] { 0, 1, 255 }, r.ReadArray<byte>("u8"));
        Assert.Equal(new[] { int.MinValue, -7, 1 << 20 }, r.ReadArray<int>("i32"));
        Assert.Equal(new[] { -5L, 1L << 40 }, r.ReadArray<long>("i64"));
        Assert.Equal(new[] { Math.PI }, r.ReadArray<double>("f64"));
        Assert.Equal([-128f, -1f, 0f, 127f], r.ReadFloats("i8"));
        Assert.Equal([0f, 1f, 255f], r.ReadFloats("u8"));
        Assert.Equal([int.MinValue, -7f, 1 << 20], r.ReadFloats("i32"));
        Assert.Equal([-5f, 1L << 40], r.ReadFloats("i64"));
        Assert.Equal([0.5f, -3.25f], r.ReadFloats("f16"));
        Assert.Equal([1.5f, -256f], r.ReadFloats("bf16"));
        Assert.Equal([(float)Math.PI], r.ReadFloats("f64"));
        Assert.Equal([-300f], r.ReadFloats("i16"));
        Assert.Equal([65535f], r.ReadFloats("u16"));
        Assert.Equal([4_000_000_000f], r.ReadFloats("u32"));
        Assert.Equal([2, 2], r.GetEntry("i8").Shape);
        Assert.Equal(SafetensorsDType.BF16, r.GetEntry("bf16").DType);
        var e = Assert.Throws<InvalidDataException>(() => r.ReadArray<int>("i8"));
        Assert.Contains("dtype I8, expected I32", e.Message);
    }

    [Fact]
    public void Layout_is_aligned_header_padded_and_tensors_sorted_by_element_size()
    {
        var w = new SafetensorsWriter();
        w.Add<sbyte>("a_int8", new sbyte[] { 1, 2, 3 }, [3]);
        w.Add("b_f32", new Tensor([1f, 2f], 2));
        w.Add<long>("c_i64", new[] { 9L }, [1]);
        string path = dir.File("l.safetensors");
        w.Save(path);
        var bytes = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);
        using var r = SafetensorsReader.Open(path);
        Assert.Equal(["c_i64", "b_f32", "a_int8"], r.Entries.Select(e => e.Name));
        foreach (var e in r.Entries) Assert.Equal(0, (8 + n + e.Begin) % e.DType.Size());
        Assert.Equal(8 + n + 8 + 8 + 3, bytes.Length);
    }

    [Fact]
    public void Reads_files_from_other_writers_with_any_key_order_and_unknown_entry_fields()
    {
        // Header order differs from data order; metadata last; an extra field the reference reader ignores.
        string header = """{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8],"extra":1},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"__metadata__":{"format":"pt"}}   """;
        string path = dir.File("o.safetensors");
        File.WriteAllBytes(path, RawSafetensors.Build(header, RawSafetensors.Floats(3f, 4f)));
        using var r = SafetensorsReader.Open(path);
        Assert.Equal(["a", "b"], r.Entries.Select(e => e.Name));
        Assert.Equal(3f, r.ReadTensor("a").Item());
        Assert.Equal([4f], r.ReadFloats("b"));
        Assert.Equal("pt", r.Metadata["format"]);
    }

    [Fact]
    public void Reading_into_a_caller_span_checks_its_length()
    {
        string path = dir.File("s.safetensors");
        Safetensors.Save(path, [("x", new Tensor([1f, 2f, 3f], 3))]);
        using var r = SafetensorsReader.Open(path);
        var dst = new float[3];
        r.ReadFloats("x", dst);
        Assert.Equal([1f, 2f, 3f], dst);
        Assert.Throws<ArgumentException>(() => r.ReadFloats("x", new float[2]));
        var e = Assert.Throws<InvalidDataException>(() => r.ReadFloats("y"));
        Assert.Contains("has no tensor 'y'", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Writer_refuses_bad_input()
    {
        var w = new SafetensorsWriter();
        w.Add("x", new Tensor([1f], 1));
        Assert.Throws<ArgumentException>(() => w.Add("x", new Tensor([1f], 1)));
        Assert.Throws<ArgumentException>(() => w.Add("__metadata__", new Tensor([1f], 1)));
        Assert.Throws<ArgumentException>(() => w.Add("", new Tensor([1f], 1)));
        Assert.Throws<ArgumentException>(() => w.Add<int>("y", new[] { 1, 2 }, [3]));
        Assert.Throws<ArgumentException>(() => w.Add<int>("z", Array.Empty<int>(), [-1]));
        Assert.Throws<ArgumentException>(() => w.AddRaw("r", SafetensorsDType.BF16, new byte[3], [2]));
    }

    // ---- hostile files: each problem gives InvalidDataException naming the file and the problem ----

    public static TheoryData<string, string, string> HostileHeaders() => new()
    {
        { "not json", """{"a": """, "not valid JSON" },
        { "array root", "[1, 2]", "must be a JSON object" },
        { "duplicate name", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", "duplicate tensor name 'a'" },
        { "unknown dtype", """{"a":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}""", "unknown dtype 'F33'" },
        { "negative dim", """{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", "non-negative integer" },
        { "fractional dim", """{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}""", "non-negative integer" },
        { "size mismatch", """{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", "needs 12 bytes, data_offsets give 8" },
        { "10^12 elements", """{"a":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,8]}}""", "needs 4000000000000 bytes, data_offsets give 8" },
        { "offsets past end", """{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", "run past the data buffer of 8 bytes" },
        { "backwards offsets", """{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}""", "run backwards" },
        { "overlap", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", "overlap" },
        { "gap", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", "belong to no tensor" },
        { "trailing bytes", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", "cover 4 bytes but the data buffer has 8" },
        { "metadata not strings", """{"__metadata__":{"epoch":3},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "must be a string" },
        { "missing offsets", """{"a":{"dtype":"F32","shape":[2]}}""", "needs 'data_offsets'" },
        { "entry not object", """{"a":5}""", "must be an object" },
        { "field twice", """{"a":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "has 'dtype' twice" },
        { "2^64 elements", """{"a":{"dtype":"F32","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,8]}}""", "more than 2^63 bytes" },
        { "huge offset", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,99999999999999999999999]}}""", "non-negative integer" },
    };

    [Theory]
    [MemberData(nameof(HostileHeaders))]
    public void Hostile_header_is_refused_with_a_clear_message(string label, string header, string expected)
    {
        string path = dir.File(label.Replace(' ', '_') + ".safetensors");
        File.WriteAllBytes(path, RawSafetensors.Build(header, new byte[8]));
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsReader.Open(path).Dispose());
        Assert.Contains(expected, e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Invalid_utf8_header_is_refused()
    {
        string path = dir.File("utf8.safetensors");
        var header = Encoding.UTF8.GetBytes("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""");
        header[2] = 0xC3; // 'a' → start of a two-byte sequence followed by '"'
        File.WriteAllBytes(path, RawSafetensors.Build(header, new byte[8]));
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsReader.Open(path).Dispose());
        Assert.Contains("not valid UTF-8", e.Message);
    }

    [Theory]
    [InlineData(0UL, "too short")]
    [InlineData(1000UL, "runs past the end")]
    [InlineData(100_000_001UL, "exceeds the limit")]
    [InlineData(1_000_000_000_000UL, "exceeds the limit")]
    [InlineData(ulong.MaxValue, "exceeds the limit")]
    public void Header_length_is_checked_before_anything_is_allocated(ulong claimed, string expected)
    {
        string path = dir.File("len.safetensors");
        var bytes = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimed);
        File.WriteAllBytes(path, bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsReader.Open(path).Dispose());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains(expected, e.Message);
        Assert.True(allocated < 256 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void File_truncated_after_opening_gives_a_clear_error()
    {
        var w = new SafetensorsWriter();
        w.Add("x", new Tensor(new float[1000], 1000));
        var ms = new MemoryStream();
        w.WriteTo(ms);
        using var r = SafetensorsReader.Open(ms, "shrinking.safetensors");
        ms.SetLength(ms.Length - 100);
        var e = Assert.Throws<InvalidDataException>(() => r.ReadFloats("x"));
        Assert.Contains("shrinking.safetensors", e.Message);
        Assert.Contains("truncated after opening", e.Message);
    }

    [Fact]
    public void Files_shorter_than_the_length_prefix_are_refused()
    {
        string path = dir.File("tiny.safetensors");
        File.WriteAllBytes(path, new byte[5]);
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsReader.Open(path).Dispose());
        Assert.Contains("too short", e.Message);
    }
}
