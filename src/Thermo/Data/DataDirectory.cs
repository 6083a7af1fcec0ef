namespace Thermo.Data;

/// <summary>
/// Where fetched datasets and decode caches live: the explicit directory (CLI <c>--data-dir</c>) if given, else
/// <c>$THERMO_DATA_DIR</c>, else <c>$XDG_CACHE_HOME/thermo</c>, else <c>~/.cache/thermo</c>. One subdirectory per dataset.
/// </summary>
public static class DataDirectory
{
    /// <summary>Environment variable overriding the default directory.</summary>
    public const string EnvironmentVariable = "THERMO_DATA_DIR";

    /// <summary>The data directory (not created).</summary>
    public static string Resolve(string? explicitDirectory = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitDirectory)) return Path.GetFullPath(explicitDirectory);
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return Path.GetFullPath(fromEnvironment);
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "thermo");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (string.IsNullOrEmpty(home)) home = Path.GetTempPath();
        return Path.Combine(home, ".cache", "thermo");
    }
}
