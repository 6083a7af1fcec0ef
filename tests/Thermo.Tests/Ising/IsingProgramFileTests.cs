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
        IsingProgramFile.Save(path, program, schedule);
        Assert.True(File.Exists(dir.File("net.safetensors")));
        var (loaded, loadedSchedule) = IsingProgramFile.Load(path);
        AssertSamePrograms(program, loaded);
        Assert.Equal(schedule, loadedSchedule);
    }

    [Fact]
    public void Sparse_program_with_greedy_colouring_round_trips_and_samples_identically()
    {
        var program = RandomPrograms.Sparse(13, 0.4f, 0.9f, 4, pinned: [(2, -1)]);
        string path = dir.File("graph.json");
        IsingProgramFile.Save(path, program);
        var (loaded, schedule) = IsingProgramFile.Load(path);
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
}
