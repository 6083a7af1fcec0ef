using System.Text.RegularExpressions;
using Thermo.IO;
using Thermo.Ising;
using Thermo.Sampling;
using Thermo.Tests.IO;
using Thermo.Tests.Sampling;

namespace Thermo.Tests.Ising;

public class IsingProgramFileTests : IDisposable
{
    readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    static void AssertSamePrograms(IsingProgram a, IsingProgram b)
    {
        Assert.Equal(a.Beta, b.Beta);
        Assert.Equal(a.Delta, b.Delta);
        Assert.Equal(a.Layers.Count, b.Layers.Count);
        for (int l = 0; l < a.Layers.Count; l++)
        {
            Assert.Equal(a.Layers[l].Name, b.Layers[l].Name);
            Assert.Equal(a.Layers[l].Shape, b.Layers[l].Shape);
            Assert.Equal(a.Layers[l].IsInput, b.Layers[l].IsInput);
            Assert.Equal(a.Bias(l), b.Bias(l));
        }
        Assert.Equal(a.Couplings.Count, b.Couplings.Count);
        for (int k = 0; k < a.Couplings.Count; k++)
        {
            switch (a.Couplings[k], b.Couplings[k])
            {
                case (DenseCoupling x, DenseCoupling y): Assert.Equal((x.Lower, x.Upper), (y.Lower, y.Upper)); Assert.Equal(x.Weight, y.Weight); break;
                case (ConvCoupling x, ConvCoupling y):
                    Assert.Equal((x.Lower, x.Upper, x.Kernel, x.Stride, x.Padding), (y.Lower, y.Upper, y.Kernel, y.Stride, y.Padding));
                    Assert.Equal(x.Weight, y.Weight);
                    break;
                case (SparseCoupling x, SparseCoupling y): Assert.Equal(x.I, y.I); Assert.Equal(x.J, y.J); Assert.Equal(x.Value, y.Value); break;
                default: Assert.Fail($"coupling {k} changed kind"); break;
            }
        }
        Assert.Equal(a.PinnedSpins, b.PinnedSpins);
        Assert.Equal(a.PinnedValues, b.PinnedValues);
        Assert.Equal(a.Colouring.Kind, b.Colouring.Kind);
        Assert.Equal(a.Colouring.ColourOf, b.Colouring.ColourOf);
    }

    [Fact]
    public void Layered_program_and_schedule_round_trip()
    {
        var program = LayeredSamplerTests.IntegerLayered(3, pinned: true, integer: false);
        var schedule = new Schedule(7, 30, 2, annealStart: 0.5f, annealSweeps: 5);
        string path = dir.File("net.json");
        ScheduledProgramFile.Save(path, program, schedule);
        Assert.True(File.Exists(dir.File("net.safetensors")));
        var (loaded, loadedSchedule) = ScheduledProgramFile.Load(path);
        AssertSamePrograms(program, loaded);
        Assert.Equal(schedule, loadedSchedule);
    }

    [Fact]
    public void Sparse_program_with_greedy_colouring_round_trips_and_samples_identically()
    {
        var program = RandomPrograms.Sparse(13, 0.4f, 0.9f, 4, pinned: [(2, -1)]);
        string path = dir.File("graph.json");
        IsingProgramFile.Save(path, program);
        var (loaded, schedule) = ScheduledProgramFile.Load(path);
        AssertSamePrograms(program, loaded);
        Assert.Null(schedule);
        var request = new SamplingRequest(InputBatch.None, 3, new Schedule(2, 10), 8);
        var a = new MagnetizationObserver(); var b = new MagnetizationObserver();
        new ReferenceGibbsSampler(program).Run(request, a);
        new ReferenceGibbsSampler(loaded).Run(request, b);
        Assert.Equal(a.Sums(0).ToArray(), b.Sums(0).ToArray());
    }

    [Fact]
    public void Damaged_files_are_refused_naming_the_file()
    {
        var program = LayeredSamplerTests.IntegerLayered(3);
        string path = dir.File("p.json");
        IsingProgramFile.Save(path, program);
        // A coupling that no longer fits its layers (the shape check names the tensor).
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"kernel\": 3", "\"kernel\": 2"));
        var e = Assert.Throws<InvalidDataException>(() => IsingProgramFile.Load(path));
        Assert.Contains("p.json", e.Message);
        // Wrong format name.
        File.WriteAllText(dir.File("q.json"), "{\"format\": \"thermo.checkpoint\", \"version\": 1}");
        Assert.Throws<InvalidDataException>(() => IsingProgramFile.Load(dir.File("q.json")));
    }

    [Fact]
    public void Colouring_classes_in_the_file_are_checked_against_the_couplings_on_load()
    {
        // issue 12, item 15: formats.md says the classes are "recomputed and checked on load"; they were only recomputed.
        var program = LayeredSamplerTests.IntegerLayered(3);
        string path = dir.File("p.json");
        IsingProgramFile.Save(path, program);
        string text = File.ReadAllText(path);
        var classes = System.Text.RegularExpressions.Regex.Match(text, @"""classes"": (\[[^\n]*?\]\]|\[\s*\[[\s\S]*?\]\s*\])").Groups[1].Value;
        Assert.NotEqual("", classes);
        AssertSamePrograms(program, IsingProgramFile.Load(path).Program);

        foreach (var wrong in new[] { "[[0, 1, 2]]", "[[1], [0, 2]]", "[[0], [1], [2], [3]]", "[[\"a\"]]", "7" })
        {
            File.WriteAllText(path, text.Replace(classes, wrong));
            var e = Assert.Throws<InvalidDataException>(() => IsingProgramFile.Load(path));
            Assert.Contains("p.json", e.Message);
            Assert.Contains("colouring", e.Message);
        }
        File.WriteAllText(path, text.Replace("\"layer-parity\"", "\"rainbow\""));
        Assert.Contains("unknown colouring kind 'rainbow'", Assert.Throws<InvalidDataException>(() => IsingProgramFile.Load(path)).Message);
    }

    [Fact]
    public void Int8_couplings_store_the_8_bit_quantised_program_in_a_quarter_of_the_bytes()
    {
        var program = LayeredSamplerTests.IntegerLayered(3, pinned: true, integer: false);
        string f32 = dir.File("f32.json"), i8 = dir.File("i8.json"), again = dir.File("again.json");
        IsingProgramFile.Save(f32, program);
        IsingProgramFile.Save(i8, program, couplings: SafetensorsDType.I8);
        var (loaded, _) = IsingProgramFile.Load(i8);
        AssertSamePrograms(CouplingQuantizer.Quantize(program, 8).Program, loaded);
        // Saving the loaded 8-bit program again reproduces the file: the levels and scales are a fixed point.
        IsingProgramFile.Save(again, loaded, couplings: SafetensorsDType.I8);
        Assert.Equal(File.ReadAllBytes(dir.File("i8.safetensors")), File.ReadAllBytes(dir.File("again.safetensors")));
        long weights = program.Couplings.Sum(c => (long)CouplingQuantizer.Values(c).Length);
        long saved = new FileInfo(dir.File("f32.safetensors")).Length - new FileInfo(dir.File("i8.safetensors")).Length;
        Assert.InRange(saved, 3 * weights, 3 * weights + 64); // three bytes per coupling, give or take the header's dtype names
    }

    [Fact]
    public void Sampler_on_int8_couplings_agrees_with_float_couplings_of_the_same_values()
    {
        foreach (var program in new[] { LayeredSamplerTests.IntegerLayered(3, integer: false), RandomPrograms.Sparse(11, 0.4f, 0.9f, 4) })
        {
            string path = dir.File($"s{program.SpinCount}.json");
            IsingProgramFile.Save(path, program, couplings: SafetensorsDType.I8);
            var (int8, _) = IsingProgramFile.Load(path);
            var float32 = CouplingQuantizer.Quantize(program, 8).Program;
            var inputs = InputBatch.None;
            if (program.InputSpinCount > 0)
            {
                var rows = new sbyte[2 * program.InputSpinCount];
                for (int i = 0; i < rows.Length; i++) rows[i] = (sbyte)((i * 7) % 3 == 0 ? 1 : -1);
                inputs = new InputBatch(rows, 2, program.InputSpinCount);
            }
            var request = new SamplingRequest(inputs, 3, new Schedule(2, 12), 5);
            var a = new MagnetizationObserver(); var b = new MagnetizationObserver();
            GibbsSampler.Create(int8).Run(request, a);
            GibbsSampler.Create(float32).Run(request, b);
            for (int slot = 0; slot < inputs.Count; slot++) Assert.Equal(b.Sums(slot).ToArray(), a.Sums(slot).ToArray());
        }
    }

    [Fact]
    public void Damaged_int8_couplings_are_refused_naming_the_problem()
    {
        var program = LayeredSamplerTests.IntegerLayered(3, integer: false);
        string path = dir.File("q8.json");
        IsingProgramFile.Save(path, program, couplings: SafetensorsDType.I8);
        string manifest = File.ReadAllText(path);
        var scale = new Regex("\"scale\":\\s*[-0-9.eE+]+");
        Assert.Matches(scale, manifest);

        File.WriteAllText(path, scale.Replace(manifest, "\"scale\": -0.5", 1));
        Assert.Contains("positive finite 'scale'", Assert.Throws<InvalidDataException>(() => IsingProgramFile.Load(path)).Message);
        File.WriteAllText(path, scale.Replace(manifest, "\"unscaled\": 1", 1));
        Assert.Contains("positive finite 'scale'", Assert.Throws<InvalidDataException>(() => IsingProgramFile.Load(path)).Message);

        string f32 = dir.File("f.json");
        IsingProgramFile.Save(f32, program);
        string plain = File.ReadAllText(f32);
        File.WriteAllText(f32, plain.Replace("\"weight\": \"couplings.0.weight\"", "\"weight\": \"couplings.0.weight\", \"scale\": 0.5"));
        Assert.Contains("only 8-bit (I8) couplings", Assert.Throws<InvalidDataException>(() => IsingProgramFile.Load(f32)).Message);
        Assert.Throws<ArgumentException>(() => IsingProgramFile.Save(dir.File("x.json"), program, couplings: SafetensorsDType.F16));
    }
}
