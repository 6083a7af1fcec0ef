namespace Thermo.Reports;

/// <summary>Result of <see cref="HeadlessBrowser.CheckPage"/>.</summary>
/// <param name="Screenshot">Path of the PNG screenshot.</param>
/// <param name="Width">Its width in pixels.</param>
/// <param name="Height">Its height in pixels.</param>
/// <param name="InkFraction">Fraction of pixels that are not white (a blank page has ~0).</param>
public sealed record PageCheck(string Screenshot, int Width, int Height, double InkFraction);
