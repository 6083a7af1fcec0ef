namespace Thermo.Reports;

/// <summary>How a <see cref="LineSeries"/> is drawn.</summary>
public enum SeriesStyle
{
    /// <summary>Solid line through markers (measured curves).</summary>
    LineAndMarkers,
    /// <summary>Solid line only (dense curves such as autocorrelation functions or trajectories).</summary>
    Line,
    /// <summary>Dashed line only (predictions, theory, references).</summary>
    Dashed,
    /// <summary>Markers only (scatter plots).</summary>
    Markers,
}
