using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace Thermo.Cli;

/// <summary>
/// Numeric options checked when the command line is parsed: a value outside its range, NaN, ∞ or text that is not a
/// number is refused with one line naming the option and the range (exit 2), before any file is read or any memory
/// allocated. The parse uses the invariant culture, so "1.5" means the same on every machine.
/// </summary>
public static class OptionBounds
{
    /// <summary>Accepts <paramref name="min"/> ≤ value ≤ <paramref name="max"/> (finite for floating point).</summary>
    public static Option<T> Within<T>(this Option<T> option, T min, T max) where T : struct, INumber<T>, IMinMaxValue<T>
    {
        var fallback = option.DefaultValueFactory;
        option.CustomParser = result => result.Tokens.Count == 0 && fallback is not null ? fallback(result) : Parse(result, option.Name, min, max, false);
        return option;
    }

    /// <summary>Accepts <paramref name="min"/> &lt; value ≤ <paramref name="max"/>, finite (e.g. a time step, which must be above 0).</summary>
    public static Option<T> Above<T>(this Option<T> option, T min, T max) where T : struct, INumber<T>, IMinMaxValue<T>
    {
        var fallback = option.DefaultValueFactory;
        option.CustomParser = result => result.Tokens.Count == 0 && fallback is not null ? fallback(result) : Parse(result, option.Name, min, max, true);
        return option;
    }

    /// <summary>An optional number: absent stays null; given, it must lie in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<T?> Within<T>(this Option<T?> option, T min, T max) where T : struct, INumber<T>, IMinMaxValue<T>
    {
        option.CustomParser = result => result.Tokens.Count == 0 ? null : Parse(result, option.Name, min, max, false);
        return option;
    }

    /// <summary>An optional number: absent stays null; given, it must lie in (<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<T?> Above<T>(this Option<T?> option, T min, T max) where T : struct, INumber<T>, IMinMaxValue<T>
    {
        option.CustomParser = result => result.Tokens.Count == 0 ? null : Parse(result, option.Name, min, max, true);
        return option;
    }

    static T Parse<T>(ArgumentResult result, string name, T min, T max, bool exclusiveMin) where T : struct, INumber<T>, IMinMaxValue<T>
    {
        string text = result.Tokens[^1].Value;
        bool integer = T.IsInteger(T.One) && !(typeof(T) == typeof(float) || typeof(T) == typeof(double) || typeof(T) == typeof(decimal));
        var style = integer ? NumberStyles.Integer : NumberStyles.Float;
        bool parsed = T.TryParse(text, style, CultureInfo.InvariantCulture, out var value);
        bool ok = parsed && T.IsFinite(value) && (exclusiveMin ? value > min : value >= min) && value <= max;
        if (ok) return value;
        result.AddError($"{name} must be {Range(integer, min, max, exclusiveMin)}, got {(parsed ? Show(value) : $"'{text}'")}");
        return default;
    }

    static string Range<T>(bool integer, T min, T max, bool exclusiveMin) where T : struct, INumber<T>, IMinMaxValue<T>
    {
        if (integer && max == T.MaxValue) return $"at least {Show(min)}";
        string kind = integer ? "an integer" : "a finite number";
        if (max == T.MaxValue) return $"{kind} {(exclusiveMin ? ">" : "≥")} {Show(min)}";
        return exclusiveMin ? $"{kind} > {Show(min)} and ≤ {Show(max)}" : $"{kind} from {Show(min)} to {Show(max)}";
    }

    static string Show<T>(T value) where T : INumber<T> => value.ToString(null, CultureInfo.InvariantCulture);
}
