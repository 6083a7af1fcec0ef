using System.Text.Json;
using Thermo.Randomness;
using Thermo.Tests.Cli;
using Thermo.Tests.Data;

namespace Thermo.Tests.Langevin;

/// <summary>`thermo langevin train|eval|export` end to end on a tiny IDX dataset, run as a separate process.</summary>
public class LangevinCommandTests
{
    /// <summary>6×6 images of three classes: a bright row, column or diagonal, with noise.</summary>
    static (byte[] Pixels, byte[] Labels) Images(int n, ulong stream)
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
}
