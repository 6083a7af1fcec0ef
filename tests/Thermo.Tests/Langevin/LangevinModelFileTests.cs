using System.Text.Json.Nodes;
using Thermo.Langevin;

namespace Thermo.Tests.Langevin;

public class LangevinModelFileTests
{
    static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "thermo-langevin-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    [Theory]
    [InlineData(CouplingClasses.Published)]
    [InlineData(CouplingClasses.All)]
    [InlineData(CouplingClasses.InputHidden | CouplingClasses.HiddenOutput)]
    public void Save_then_load_gives_back_the_same_computer(CouplingClasses classes)
    {
        var c = LangevinSimulatorTests.RandomComputer(12, 5, 3, 17, classes: classes);
        c = Relattice(c, 4);
        c.KT = 0.8f; c.J2 = 1.5f; c.J4 = 0.7f; c.Mobility = 2f;
        c.Normalization = InputNormalization.Mnist(31.5f);
        var schedule = new LangevinSchedule(2e-3f, 77);
        string dir = TempDir();
        try
        {
            string path = Path.Combine(dir, "m.json");
            LangevinModelFile.Save(path, c, schedule, new JsonObject { ["note"] = "test" });
            var (back, s, content) = LangevinModelFile.Load(path);
            Assert.Equal(schedule, s);
            Assert.Equal(c.Classes, back.Classes);
            Assert.Equal((c.Inputs, c.Hidden, c.Outputs, c.LatticeWidth), (back.Inputs, back.Hidden, back.Outputs, back.LatticeWidth));
            Assert.Equal((c.KT, c.J2, c.J4, c.Mobility), (back.KT, back.J2, back.J4, back.Mobility));
            Assert.Equal(c.Normalization, back.Normalization);
            Assert.Equal(c.InputCoupling, back.InputCoupling);
            Assert.Equal(c.MovingCoupling, back.MovingCoupling);
            Assert.Equal(c.Bias, back.Bias);
            Assert.Equal(c.InputLattice, back.InputLattice);
            Assert.Equal("test", content["training"]!["note"]!.GetValue<string>());
            Assert.True(File.Exists(Path.Combine(dir, "m.safetensors")));
        }
        finally { Directory.Delete(dir, true); }
    }

    static LangevinComputer Relattice(LangevinComputer c, int width)
    {
        var r = new LangevinComputer(c.Inputs, c.Hidden, c.Outputs, c.Classes, width);
        c.InputCoupling.CopyTo(r.InputCoupling, 0);
        c.MovingCoupling.CopyTo(r.MovingCoupling, 0);
        c.Bias.CopyTo(r.Bias, 0);
        LangevinSimulatorTests.Fill(r.InputLattice, 5, 6, 0.4f);
        r.Enforce();
        return r;
    }

    [Fact]
    public void Tampered_blocks_are_refused_with_the_file_named()
    {
        var c = LangevinSimulatorTests.RandomComputer(6, 4, 3, 18);
        string dir = TempDir();
        try
        {
            string path = Path.Combine(dir, "m.json");
            LangevinModelFile.Save(path, c, LangevinSchedule.Published);
            // Rewrite the tensor file with an asymmetric hidden–hidden block and fix the checksum so only the content check can catch it.
            var (tensors, _) = Thermo.IO.Safetensors.Load(Path.Combine(dir, "m.safetensors"));
            tensors["J.hidden_hidden"].Data[1] += 1f;
            Thermo.IO.Safetensors.Save(Path.Combine(dir, "m.safetensors"), tensors.Select(kv => (kv.Key, kv.Value)));
            var manifest = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            manifest["tensors_sha256"] = Thermo.IO.Provenance.FileSha256(Path.Combine(dir, "m.safetensors"));
            File.WriteAllText(path, manifest.ToJsonString());
            var e = Assert.Throws<InvalidDataException>(() => LangevinModelFile.Load(path));
            Assert.Contains("m.json", e.Message);
            Assert.Contains("not symmetric", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Published_parameter_order_has_the_published_count_and_places_blocks_by_class()
    {
        var c = LangevinComputer.PublishedMnist();
        for (int i = 0; i < c.Moving; i++) c.Bias[i] = 1000 + i;
        c.InputCoupling[3 * c.Moving + 2] = 7f;                     // input 3 – hidden 2
        c.MovingCoupling[5 * c.Moving + 64 + 1] = 9f;               // hidden 5 – output 1
        c.MovingCoupling[(64 + 1) * c.Moving + 5] = 9f;
        c.Enforce();
        string dir = TempDir();
        try
        {
            string path = Path.Combine(dir, "parameters.dat");
            PublishedParameterFile.Save(path, c);
            var values = File.ReadAllLines(path).Select(l => float.Parse(l, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            // thermo_gd: number_of_bonds = 784·4/2 + 784·64 + 64·63/2 + 64·10 + 10·9/2 + 784·10, plus one bias per spin.
            int bonds = 784 * 2 + 784 * 64 + 64 * 63 / 2 + 64 * 10 + 45 + 7840;
            Assert.Equal(bonds + 784 + 74, values.Length);
            Assert.Equal(7f, values[1568 + 3 * 64 + 2]);
            Assert.Equal(9f, values[1568 + 784 * 64 + 2016 + 5 * 10 + 1]);
            Assert.Equal(1000f, values[bonds + 784]);
            Assert.Equal(1073f, values[^1]);
        }
        finally { Directory.Delete(dir, true); }
    }
}
