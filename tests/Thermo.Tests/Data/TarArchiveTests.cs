using System.Formats.Tar;
using Thermo.Data;

namespace Thermo.Tests.Data;

public class TarArchiveTests
{
    static byte[] Write(TarEntryFormat format, IEnumerable<(string Name, byte[] Data)> files)
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, format, leaveOpen: true))
        {
            writer.WriteEntry(format switch
            {
                TarEntryFormat.V7 => new V7TarEntry(TarEntryType.Directory, "top/"),
                TarEntryFormat.Ustar => new UstarTarEntry(TarEntryType.Directory, "top/"),
                TarEntryFormat.Gnu => new GnuTarEntry(TarEntryType.Directory, "top/"),
                _ => new PaxTarEntry(TarEntryType.Directory, "top/"),
            });
            foreach (var (name, data) in files)
            {
                TarEntry entry = format switch
                {
                    TarEntryFormat.V7 => new V7TarEntry(TarEntryType.V7RegularFile, name),
                    TarEntryFormat.Ustar => new UstarTarEntry(TarEntryType.RegularFile, name),
                    TarEntryFormat.Gnu => new GnuTarEntry(TarEntryType.RegularFile, name),
                    _ => new PaxTarEntry(TarEntryType.RegularFile, name),
                };
                entry.DataStream = new MemoryStream(data);
                writer.WriteEntry(entry);
            }
        }
        return tar.ToArray();
    }

    [Theory]
    [InlineData(TarEntryFormat.V7)]
    [InlineData(TarEntryFormat.Ustar)]
    [InlineData(TarEntryFormat.Pax)]
    [InlineData(TarEntryFormat.Gnu)]
    public void Reads_every_tar_flavour_including_long_names(TarEntryFormat format)
    {
        using var dir = new TempDirectory();
        // ustar splits long names into prefix + name; PAX and GNU use extended headers; V7 is limited to 100 bytes.
        var longName = format == TarEntryFormat.V7 ? "top/short.bin" : "top/" + string.Concat(Enumerable.Repeat("deep-folder/", 12)) + "file.bin";
        (string, byte[])[] files = [("./top/a.bin", TestFiles.Bytes(1000, 1)), ("top/empty.bin", []), (longName, TestFiles.Bytes(513, 2))];
        var path = dir.Write("x.tar", Write(format, files));
        var entries = TarArchive.ReadEntries(path, _ => true);
        Assert.Equal(["top/a.bin", "top/empty.bin", longName], entries.Select(e => e.Name));
        Assert.Equal(files.Select(f => f.Item2), entries.Select(e => e.Data));
    }

    [Fact]
    public void Skips_entries_not_kept_and_reads_gzip()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("x.tar.gz", TestFiles.Gzip(Write(TarEntryFormat.Pax, [("a.txt", [1]), ("b.png", [2, 3]), ("c.txt", [4])])));
        var entries = TarArchive.ReadEntries(path, name => name.EndsWith(".txt"));
        Assert.Equal(["a.txt", "c.txt"], entries.Select(e => e.Name));
        Assert.Equal([4], entries[1].Data);
    }

    [Fact]
    public void Metadata_headers_claiming_huge_sizes_are_refused_before_allocating()
    {
        using var dir = new TempDirectory();
        var tar = Write(TarEntryFormat.Pax, [("a.bin", [1, 2, 3])]);
        // The second header block is the PAX 'x' header of a.bin (the first is the directory's); claim 1 GiB.
        int header = Enumerable.Range(0, tar.Length / 512).Select(i => i * 512).First(o => tar[o + 156] == (byte)'x');
        "10000000000\0"u8.CopyTo(tar.AsSpan(header + 124));
        FixChecksum(tar, header);
        var path = dir.Write("x.tar", tar);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => TarArchive.ReadEntries(path, _ => true));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Contains("metadata entry 'x' claims 1073741824 bytes", e.Message);
    }

    [Fact]
    public void Garbage_and_truncation_are_refused_naming_the_archive()
    {
        using var dir = new TempDirectory();
        var garbage = dir.Write("g.tar", TestFiles.Bytes(2048, 3));
        Assert.Contains("not a tar", Assert.Throws<InvalidDataException>(() => TarArchive.ReadEntries(garbage, _ => true)).Message);
        var tar = Write(TarEntryFormat.Ustar, [("a.bin", TestFiles.Bytes(3000, 1))]);
        var truncated = dir.Write("t.tar", tar[..2000]);
        var e = Assert.Throws<InvalidDataException>(() => TarArchive.ReadEntries(truncated, _ => true));
        Assert.Contains(truncated, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Empty(TarArchive.ReadEntries(dir.Write("empty.tar", []), _ => true));
    }

    static void FixChecksum(byte[] tar, int header)
    {
        "        "u8.CopyTo(tar.AsSpan(header + 148));
        int sum = 0;
        for (int i = 0; i < 512; i++) sum += tar[header + i];
        System.Text.Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(tar, header + 148);
    }
}
