namespace Thermo.Reports;

/// <summary>How a plot axis maps values to positions.</summary>
public enum AxisScale
{
    /// <summary>Evenly spaced values.</summary>
    Linear,
    /// <summary>Powers of two evenly spaced (samples per block G = 1, 2, 4, …, 1024); needs x &gt; 0.</summary>
    Log2,
    /// <summary>Powers of ten evenly spaced; needs values &gt; 0.</summary>
    Log10,
}
