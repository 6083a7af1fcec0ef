using System.Globalization;
using Thermo.Langevin;
using Thermo.Tests.IO;

namespace Thermo.Tests.Langevin;

public class PublishedParameterFileTests
{
    /// <summary>A random computer on a 6×6 input lattice (36 inputs), lattice bonds filled when the class is on.</summary>
    static LangevinComputer Random36(int hidden, int outputs, CouplingClasses classes, ulong seed)
    {
        var r = LangevinSimulatorTests.RandomComputer(36, hidden, outputs, seed, classes: classes);
        var c = new LangevinComputer(36, hidden, outputs, classes, 6);
        r.InputCoupling.CopyTo(c.InputCoupling, 0);
        r.MovingCoupling.CopyTo(c.MovingCoupling, 0);
        r.Bias.CopyTo(c.Bias, 0);
        LangevinSimulatorTests.Fill(c.InputLattice, seed, 9, 0.4f);
        c.Enforce();
        return c;
    }

    static void AssertSameParameters(LangevinComputer expected, LangevinComputer actual)
    {
        Assert.Equal((expected.Inputs, expected.Hidden, expected.Outputs), (actual.Inputs, actual.Hidden, actual.Outputs));
        static int[] Bits(float[] a) => a.Select(BitConverter.SingleToInt32Bits).ToArray();
        Assert.Equal(Bits(expected.InputCoupling), Bits(actual.InputCoupling));
        Assert.Equal(Bits(expected.MovingCoupling), Bits(actual.MovingCoupling));
        Assert.Equal(Bits(expected.Bias), Bits(actual.Bias));
        Assert.Equal(Bits(expected.InputLattice), Bits(actual.InputLattice));
    }

    [Theory]
    [InlineData(CouplingClasses.Published, 5, 3)]
    [InlineData(CouplingClasses.All, 7, 10)]
    [InlineData(CouplingClasses.InputHidden | CouplingClasses.HiddenOutput, 4, 2)]
    public void Export_then_import_gives_back_every_number_bit_for_bit_and_the_same_text(CouplingClasses classes, int hidden, int outputs)
    {
        using var dir = new TempDirectory();
        var c = Random36(hidden, outputs, classes, 21);
        PublishedParameterFile.Save(dir.File("p.dat"), c);
        var (back, schedule, content) = PublishedParameterFile.Load(dir.File("p.dat"), inputs: 36, outputs: outputs);
        AssertSameParameters(c, back);
        Assert.Equal(6, back.LatticeWidth);
        Assert.True(content["hidden_inferred"]!.GetValue<bool>());
        Assert.Contains($"H = {hidden} hidden units, inferred", content["notes"]![0]!.GetValue<string>());
        Assert.Equal((1f, 1f, 1f, 1f), (back.KT, back.J2, back.J4, back.Mobility));
        Assert.Equal(new LangevinSchedule(1e-3f, 200), schedule);
        Assert.Equal(0f, back.Normalization.TargetNorm);   // R: from the evaluated split, the published convention

        PublishedParameterFile.Save(dir.File("again.dat"), back);
        Assert.Equal(File.ReadAllText(dir.File("p.dat")), File.ReadAllText(dir.File("again.dat")));
    }

    [Fact]
    public void A_file_in_the_published_style_reads_and_writes_back_the_same_float32_values()
    {
        // thermo_gd writes one line, space-separated, six significant digits, with -0 for its unused bonds and biases.
        int inputs = 4, hidden = 2, outputs = 2;
        long n = PublishedParameterFile.Count(inputs, hidden, outputs);
        var numbers = Enumerable.Range(0, (int)n).Select(i => i < 2 * inputs ? "-0" : (0.123457 * (i % 7 - 3)).ToString("G6", CultureInfo.InvariantCulture)).ToArray();
        for (int i = 0; i < inputs; i++) numbers[n - outputs - hidden - inputs + i] = i % 2 == 0 ? "-0" : "0";
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("parameters.dat"), string.Join(' ', numbers) + " \n");
        var (c, _, _) = PublishedParameterFile.Load(dir.File("parameters.dat"), inputs, hidden, outputs);
        PublishedParameterFile.Save(dir.File("out.dat"), c);
        var written = File.ReadAllLines(dir.File("out.dat"));
        Assert.Equal(n, written.Length);
        for (int i = 0; i < n; i++)
            Assert.Equal(float.Parse(numbers[i], CultureInfo.InvariantCulture), float.Parse(written[i], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_hidden_count_follows_from_the_number_count_and_nothing_else_fits()
    {
        Assert.Equal(63143, PublishedParameterFile.Count(784, 64, 10));
        for (int h = 0; h <= 300; h++)
        {
            long count = PublishedParameterFile.Count(784, h, 10);
            Assert.Equal(h, PublishedParameterFile.HiddenFor(count, 784, 10));
            Assert.Null(PublishedParameterFile.HiddenFor(count + 1, 784, 10));
        }
        Assert.Null(PublishedParameterFile.HiddenFor(5, 784, 10));
    }

    public static TheoryData<string, string, string> Damage => new()
    {
        { "drop the last number", "", "numbers fit no hidden-layer size" },
        { "add a number", "0.5", "numbers fit no hidden-layer size" },
        { "replace line 3", "nan", "line 3: 'nan' is not" },
        { "replace line 3", "Infinity", "line 3: 'Infinity' is not finite" },
        { "replace line 3", "-1e39", "line 3: '-1e39' is outside the float32 range" },
        { "replace line 3", "0.25abc", "line 3: '0.25abc' is not a number" },
        { "replace line 3", "0.25 #", "line 3: '#' is not a number" },
        { "replace line 3", "0,25", "line 3: '0,25' is not a number" },
    };

    [Theory]
    [MemberData(nameof(Damage))]
    public void A_damaged_file_is_refused_with_one_line_naming_the_problem(string damage, string text, string expected)
    {
        using var dir = new TempDirectory();
        PublishedParameterFile.Save(dir.File("p.dat"), Random36(3, 2, CouplingClasses.Published, 4));
        var lines = File.ReadAllLines(dir.File("p.dat")).ToList();
        switch (damage)
        {
            case "drop the last number": lines.RemoveAt(lines.Count - 1); break;
            case "add a number": lines.Add(text); break;
            default: lines[2] = text; break;
        }
        File.WriteAllLines(dir.File("p.dat"), lines);
        var e = Assert.Throws<InvalidDataException>(() => PublishedParameterFile.Load(dir.File("p.dat"), inputs: 36, outputs: 2));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith($"parameters file '{dir.File("p.dat")}'", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_count_that_disagrees_with_a_given_hidden_size_names_both()
    {
        using var dir = new TempDirectory();
        PublishedParameterFile.Save(dir.File("p.dat"), Random36(3, 2, CouplingClasses.Published, 4));
        var e = Assert.Throws<InvalidDataException>(() => PublishedParameterFile.Load(dir.File("p.dat"), inputs: 36, hidden: 4, outputs: 2));
        Assert.Contains($"{PublishedParameterFile.Count(36, 3, 2)} numbers, but 36 inputs, 4 hidden and 2 outputs need {PublishedParameterFile.Count(36, 4, 2)}", e.Message);
        File.WriteAllText(dir.File("empty.dat"), " \n\n");
        Assert.Contains("holds no numbers", Assert.Throws<InvalidDataException>(() => PublishedParameterFile.Load(dir.File("empty.dat"))).Message);
    }

    [Fact]
    public void Non_zero_input_biases_are_dropped_and_said_so()
    {
        using var dir = new TempDirectory();
        var c = Random36(3, 2, CouplingClasses.Published, 4);
        PublishedParameterFile.Save(dir.File("p.dat"), c);
        var lines = File.ReadAllLines(dir.File("p.dat"));
        lines[lines.Length - c.Moving - 36 + 5] = "0.75";   // input 5's bias
        File.WriteAllLines(dir.File("p.dat"), lines);
        var (back, _, content) = PublishedParameterFile.Load(dir.File("p.dat"), inputs: 36, hidden: 3, outputs: 2);
        AssertSameParameters(c, back);
        Assert.Contains("1 input biases are non-zero", content["notes"]![0]!.GetValue<string>());
    }
}
