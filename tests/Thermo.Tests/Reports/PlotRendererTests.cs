using System.Buffers.Binary;
using StbImageSharp;
using Thermo.Reports;

namespace Thermo.Tests.Reports;

public class PlotRendererTests
{
    /// <summary>Width and height from the IHDR chunk, after checking the PNG signature.</summary>
    internal static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.True(png.Length > 33, "PNG too short");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR"u8.ToArray(), png[12..16]);
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    public static TheoryData<string> FigureNames => new(SampleReports.Full().Figures().Select(f => f.Name));

    [Theory]
    [MemberData(nameof(FigureNames))]
    public void Every_kind_of_figure_renders_a_valid_png_of_the_requested_size(string name)
    {
        var spec = SampleReports.Full().Figures().Single(f => f.Name == name);
        byte[] png = PlotRenderer.RenderPng(spec);
        Assert.Equal((spec.Width, spec.Height), PngSize(png));
        var image = ImageResult.FromMemory(png, ColorComponents.RedGreenBlue);   // decodes: the file is a whole PNG
        Assert.Equal(spec.Width, image.Width);
        Assert.Equal(spec.Height, image.Height);
        int distinct = image.Data.Chunk(3).Select(p => (p[0] << 16) | (p[1] << 8) | p[2]).Distinct().Count();
        Assert.True(distinct > 8, $"only {distinct} colours: nothing was drawn");
    }

    [Fact]
    public void Same_spec_gives_the_same_png_bytes()
    {
        var spec = SampleReports.Full().Figures().First();
        Assert.Equal(PlotRenderer.RenderPng(spec), PlotRenderer.RenderPng(spec));
        var reread = ReportJson.Parse(ReportJson.Serialize(SampleReports.Full())).Figures().First();
        Assert.Equal(PlotRenderer.RenderPng(spec), PlotRenderer.RenderPng(reread));
    }

    [Fact]
    public void Requested_size_is_honoured()
    {
        var spec = new PlotSpec("tiny").Size(123, 77).Line("a", [1, 2, 3], [3, 1, 2]);
        Assert.Equal((123, 77), PngSize(PlotRenderer.RenderPng(spec)));
        Assert.Throws<ArgumentOutOfRangeException>(() => spec.Size(10, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => spec.Size(5000, 100));
    }

    [Fact]
    public void Non_finite_points_and_non_positive_values_on_a_log_y_axis_are_skipped_not_fatal()
    {
        var spec = new PlotSpec("diverged").Size(200, 150).Axes("step", "loss", AxisScale.Log10, AxisScale.Log10)
            .Line("loss", [1, 10, 100, 1000], [1, double.NaN, 0, double.PositiveInfinity], [0.1, 0.1, double.NaN, 1]);
        Assert.Equal((200, 150), PngSize(PlotRenderer.RenderPng(spec)));
        var empty = new PlotSpec("nothing").Size(200, 150);
        Assert.Equal((200, 150), PngSize(PlotRenderer.RenderPng(empty)));
    }

    [Fact]
    public void Log_x_axis_with_non_positive_x_is_an_error_naming_the_figure_and_series()
    {
        Assert.Contains("needs x > 0", Assert.Throws<ArgumentException>(() =>
            new PlotSpec("a").Axes("G", "acc", AxisScale.Log2).Line("measured", [0, 1], [0.5, 0.6])).Message);
        var late = new PlotSpec("late").Line("measured", [0, 1], [0.5, 0.6]);
        late.XScale = AxisScale.Log2;                                        // changed after the data went in
        var e = Assert.Throws<ArgumentException>(() => PlotRenderer.RenderPng(late));
        Assert.Contains("figure 'late'", e.Message);
        Assert.Contains("'measured'", e.Message);
    }

    [Fact]
    public void Mixing_kinds_and_mismatched_data_are_refused_when_added()
    {
        Assert.Contains("either lines or bars", Assert.Throws<ArgumentException>(() =>
            new PlotSpec("m").Line("l", [1], [1]).Bars("b", ["x"], [1])).Message);
        Assert.Contains("exactly one heatmap", Assert.Throws<ArgumentException>(() =>
            new PlotSpec("h").Heatmap(new double[,] { { 1 } }).Line("l", [1], [1])).Message);
        Assert.Contains("share them", Assert.Throws<ArgumentException>(() =>
            new PlotSpec("g").Bars("a", ["x", "y"], [1, 2]).Bars("b", ["x", "z"], [1, 2])).Message);
        Assert.Contains("x has 2 values, y has 3", Assert.Throws<ArgumentException>(() => new PlotSpec("l").Line("l", [1, 2], [1, 2, 3])).Message);
        Assert.Contains("#rrggbb", Assert.Throws<ArgumentException>(() => new PlotSpec("c").Line("l", [1], [1], color: "red")).Message);
        Assert.Contains("non-negative", Assert.Throws<ArgumentException>(() => new PlotSpec("e").Line("l", [1], [1], [-1])).Message);
    }

    [Fact]
    public void Log_axis_labels_read_as_the_values()
    {
        Assert.Equal("1", PlotRenderer.PowerLabel(0, AxisScale.Log2));
        Assert.Equal("1024", PlotRenderer.PowerLabel(10, AxisScale.Log2));
        Assert.Equal("0.5", PlotRenderer.PowerLabel(-1, AxisScale.Log2));
        Assert.Equal("2⁻¹²", PlotRenderer.PowerLabel(-12, AxisScale.Log2));
        Assert.Equal("0.001", PlotRenderer.PowerLabel(-3, AxisScale.Log10));
        Assert.Equal("10⁹", PlotRenderer.PowerLabel(9, AxisScale.Log10));
    }

    [Fact]
    public void Figure_names_are_safe_file_stems()
    {
        Assert.Equal("accuracy-versus-samples-g", new PlotSpec("Accuracy versus samples (G)").Name);
        Assert.Equal("figure", new PlotSpec("∑∫").Name);
        Assert.Throws<ArgumentException>(() => new PlotSpec("x", "../x"));
        Assert.Throws<ArgumentException>(() => new PlotSpec("x", "a/b"));
        Assert.Throws<ArgumentException>(() => new PlotSpec("x", "ok\n"));
        var report = new RunReport("r");
        report.Section("s").Plot(new PlotSpec("Loss")).Plot(new PlotSpec("loss")).Plot(new PlotSpec("LOSS", "loss-2"));
        Assert.Equal(["loss", "loss-2", "loss-2-2"], report.Figures().Select(f => f.Name));
    }
}
