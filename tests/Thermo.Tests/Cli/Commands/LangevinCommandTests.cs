using System.Text.Json;
using Thermo.Langevin;
using Thermo.Randomness;
using Thermo.Tests.Cli;
using Thermo.Tests.Data;
using Thermo.Tests.Langevin;

namespace Thermo.Tests.Cli.Commands;

/// <summary>`thermo langevin train|eval|export` end to end on a tiny IDX dataset, run as a separate process.</summary>
public class LangevinCommandTests
{
    /// <summary>6×6 images of three classes: a bright row, column or diagonal, with noise.</summary>
    /// <summary>n 6×6 images of three classes (a bright row, column or diagonal with noise from <paramref name="stream"/>).</summary>
    internal static (byte[] Pixels, byte[] Labels) Images(int n, ulong stream)
    {
        var pixels = new byte[n * 36];
        var labels = new byte[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % 3;
            labels[i] = (byte)c;
            for (int p = 0; p < 36; p++)
            {
                int y = p / 6, x = p % 6;
                bool on = c switch { 0 => y == 2, 1 => x == 3, _ => x == y };
                float noise = Philox.Uniform(9, stream, (ulong)(i * 36 + p)) * 90;
                pixels[i * 36 + p] = (byte)Math.Min(255, (on ? 160 : 0) + noise);
            }
        }
        return (pixels, labels);
    }

    [Fact]
    public void Train_eval_and_export_run_end_to_end()
    {
        using var dir = new TempDirectory();
        var (trainX, trainY) = Images(300, 1);
        var (testX, testY) = Images(90, 2);
        dir.Write("set/train-images-idx3-ubyte", TestFiles.Idx(0x08, [300, 6, 6], trainX));
        dir.Write("set/train-labels-idx1-ubyte", TestFiles.Idx(0x08, [300], trainY));
        dir.Write("set/t10k-images-idx3-ubyte", TestFiles.Idx(0x08, [90, 6, 6], testX));
        dir.Write("set/t10k-labels-idx1-ubyte", TestFiles.Idx(0x08, [90], testY));
        var env = new Dictionary<string, string> { ["THERMO_DATA_DIR"] = dir.File("data") };
        var timeout = TimeSpan.FromMinutes(3);

        var train = CliRunner.Run(env, timeout, "langevin", "train", "--data", dir.File("set"), "--hidden", "8", "--teacher-epochs", "150",
            "--finetune-epochs", "1", "--finetune-batch", "20", "--out", dir.File("run"), "--eval-inputs", "90", "--json", "--threads", "2");
        Assert.True(train.Exit == 0, train.Err);
        using (var json = JsonDocument.Parse(train.Out))
        {
            Assert.Equal(300, json.RootElement.GetProperty("train_inputs").GetInt32());
            Assert.True(json.RootElement.GetProperty("test_top1_single_trajectory").GetDouble() > 0.8, train.Out);
        }
        Assert.Contains("teacher epoch 150/150", train.Err);
        Assert.True(File.Exists(dir.File("run/model.safetensors")));

        var eval = CliRunner.Run(env, timeout, "langevin", "eval", "--model", dir.File("run/model.json"), "--data", dir.File("set"),
            "--trajectories", "3", "--times", "0.1,0.2", "--report", dir.File("report"), "--json");
        Assert.True(eval.Exit == 0, eval.Err);
        using (var json = JsonDocument.Parse(eval.Out))
        {
            var r = json.RootElement;
            Assert.True(r.GetProperty("top1_single_trajectory").GetDouble() > 0.8, eval.Out);
            Assert.True(r.GetProperty("heat_per_inference_kT").GetDouble() > 0);
            Assert.Equal(8 * 36 + 8 * 10, r.GetProperty("digital_macs_per_inference").GetInt64());   // IDX sets have the 10 digit classes
            Assert.Equal(2, r.GetProperty("accuracy_versus_time").GetArrayLength());
            Assert.Equal(90 * 3, r.GetProperty("confusion").EnumerateArray().SelectMany(row => row.EnumerateArray()).Sum(v => v.GetInt32()));
        }
        Assert.True(File.Exists(dir.File("report/report.html")));
        Assert.True(File.Exists(dir.File("report/figures/output-trajectories-0.png")));
        Assert.True(File.Exists(dir.File("report/figures/confusion.png")));

        var export = CliRunner.Run(env, timeout, "langevin", "export", "--model", dir.File("run/model.json"), "--format", "published", "--out", dir.File("out/parameters.dat"));
        Assert.True(export.Exit == 0, export.Err);
        // 36 inputs on a 6×6 lattice: 72 lattice bonds + 36·8 + 28 + 8·10 + 45 + 36·10 couplings, one bias per unit (36 + 18).
        Assert.Equal(72 + 288 + 28 + 80 + 45 + 360 + 54, File.ReadAllLines(dir.File("out/parameters.dat")).Length);

        var bad = CliRunner.Run(env, timeout, "langevin", "eval", "--model", dir.File("run/missing.json"));
        Assert.Equal(2, bad.Exit);
        Assert.StartsWith("error: ", bad.Err.Trim());
    }

    /// <summary>A 6×6 test set (90 images of the three classes) in an IDX directory, and the environment that points at it.</summary>
    static Dictionary<string, string> TestSet(TempDirectory dir)
    {
        var (trainX, trainY) = Images(30, 1);
        var (testX, testY) = Images(90, 2);
        dir.Write("set/train-images-idx3-ubyte", TestFiles.Idx(0x08, [30, 6, 6], trainX));
        dir.Write("set/train-labels-idx1-ubyte", TestFiles.Idx(0x08, [30], trainY));
        dir.Write("set/t10k-images-idx3-ubyte", TestFiles.Idx(0x08, [90, 6, 6], testX));
        dir.Write("set/t10k-labels-idx1-ubyte", TestFiles.Idx(0x08, [90], testY));
        return new Dictionary<string, string> { ["THERMO_DATA_DIR"] = dir.File("data") };
    }

    /// <summary>
    /// A hand-made 36-4-10 classifier of the three patterns, noise off (kT = 0): output c is driven by the overlap of
    /// the input with pattern c (a force −J·x, so J = −template), plus small random hidden couplings so that every
    /// class of coupling carries numbers. The R stored is deliberately not the split's, so the norm convention shows.
    /// </summary>
    static LangevinComputer NoiseOffClassifier()
    {
        var c = LangevinSimulatorTests.RandomComputer(36, 4, 10, 5, scale: 0.2f);
        c.KT = 0;
        for (int p = 0; p < 36; p++)
        {
            int y = p / 6, x = p % 6;
            bool[] on = [y == 2, x == 3, x == y];
            for (int k = 0; k < 3; k++) c.InputCoupling[p * c.Moving + c.Hidden + k] = on[k] ? -0.8f : 0.1f;
        }
        c.Normalization = InputNormalization.Mnist(9f);
        return c;
    }

    static int[] Confusion(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("confusion").EnumerateArray().SelectMany(row => row.EnumerateArray()).Select(v => v.GetInt32()).ToArray();
    }

    [Fact]
    public void A_published_export_evaluated_as_published_parameters_gives_the_predictions_of_its_model_noise_off()
    {
        using var dir = new TempDirectory();
        var env = TestSet(dir);
        var timeout = TimeSpan.FromMinutes(2);
        Directory.CreateDirectory(dir.File("run"));
        LangevinModelFile.Save(dir.File("run/model.json"), NoiseOffClassifier(), new LangevinSchedule(1e-3f, 200));

        var original = CliRunner.Run(env, timeout, "langevin", "eval", "--model", dir.File("run/model.json"), "--data", dir.File("set"),
            "--norm-from", "split", "--times", "", "--json");
        Assert.True(original.Exit == 0, original.Err);
        var export = CliRunner.Run(env, timeout, "langevin", "export", "--model", dir.File("run/model.json"), "--format", "published", "--out", dir.File("parameters.dat"));
        Assert.True(export.Exit == 0, export.Err);

        // The published file stores no kT and no R: noise off by --kt 0, R from the split by default (the published convention).
        var imported = CliRunner.Run(env, timeout, "langevin", "eval", "--model", dir.File("parameters.dat"), "--format", "published", "--inputs", "36",
            "--kt", "0", "--data", dir.File("set"), "--times", "", "--json");
        Assert.True(imported.Exit == 0, imported.Err);
        Assert.Contains("H = 4 hidden units, inferred", imported.Err);
        var expected = Confusion(original.Out);
        Assert.True(expected.Where((v, i) => i / 10 == i % 10).Sum() > 60, original.Out);   // the classifier is right on most digits, so predictions vary
        Assert.Equal(expected, Confusion(imported.Out));
        using (var doc = JsonDocument.Parse(imported.Out))
        {
            Assert.Equal("split", doc.RootElement.GetProperty("norm_from").GetString());
            Assert.Equal(0, doc.RootElement.GetProperty("kT").GetDouble());
        }

        // And back: the imported file exports to the same text.
        var again = CliRunner.Run(env, timeout, "langevin", "export", "--model", dir.File("parameters.dat"), "--inputs", "36", "--format", "published", "--out", dir.File("again.dat"));
        Assert.True(again.Exit == 0, again.Err);
        Assert.Equal(File.ReadAllText(dir.File("parameters.dat")), File.ReadAllText(dir.File("again.dat")));

        // A damaged file: one line naming the line and the problem, exit 2.
        var lines = File.ReadAllLines(dir.File("parameters.dat"));
        lines[41] = "inf";
        File.WriteAllLines(dir.File("damaged.dat"), lines);
        var bad = CliRunner.Run(env, timeout, "langevin", "eval", "--model", dir.File("damaged.dat"), "--format", "published", "--inputs", "36", "--data", dir.File("set"));
        Assert.Equal(2, bad.Exit);
        Assert.Equal($"error: parameters file '{dir.File("damaged.dat")}': line 42: 'inf' is not", bad.Err.Trim()[..($"error: parameters file '{dir.File("damaged.dat")}': line 42: 'inf' is not".Length)]);
        Assert.Single(bad.Err.Trim().Split('\n'));
    }

    [Fact]
    public void Noise_off_evaluation_reports_heat_in_units_of_V_and_null_in_kT_in_json_and_report()
    {
        using var dir = new TempDirectory();
        var env = TestSet(dir);
        Directory.CreateDirectory(dir.File("run"));
        LangevinModelFile.Save(dir.File("run/model.json"), NoiseOffClassifier(), new LangevinSchedule(1e-3f, 200));
        var eval = CliRunner.Run(env, TimeSpan.FromMinutes(2), "langevin", "eval", "--model", dir.File("run/model.json"), "--data", dir.File("set"),
            "--limit", "12", "--times", "0.1", "--report", dir.File("report"), "--json");
        Assert.True(eval.Exit == 0, eval.Err);
        using (var doc = JsonDocument.Parse(eval.Out))
        {
            var r = doc.RootElement;
            Assert.True(r.GetProperty("heat_per_inference_units_of_V").GetDouble() > 0);
            foreach (var key in new[] { "heat_per_inference_kT", "heat_per_inference_std_kT", "heat_per_inference_joules", "thermodynamic_advantage" })
                Assert.Equal(JsonValueKind.Null, r.GetProperty(key).ValueKind);
            Assert.StartsWith("kT = 0 (noise off)", r.GetProperty("heat_unavailable").GetString());
        }
        string report = File.ReadAllText(dir.File("report/report.json"));
        Assert.DoesNotContain("Infinity", report);
        Assert.DoesNotContain("NaN", report);
        Assert.Contains("kT = 0 (noise off)", report);
        Assert.Contains("kT = 0 (noise off)", File.ReadAllText(dir.File("report/report.md")));
    }
}
