namespace Thermo.Reports;

/// <summary>A figure rendered in memory.</summary>
/// <param name="Spec">What was drawn.</param>
/// <param name="RelativePath">Where it goes in the run directory: "figures/&lt;name&gt;.png" (forward slashes).</param>
/// <param name="Png">The PNG bytes.</param>
public sealed record RenderedFigure(PlotSpec Spec, string RelativePath, byte[] Png);
