namespace Thermo.Tests.Langevin;

/// <summary>Central finite differences of a scalar function of a parameter array, for gradient checks.</summary>
internal static class FiniteDifference
{
    /// <summary>
    /// (f(θ + h e) − f(θ − h e)) / 2h where e moves <paramref name="index"/> and, for a symmetric coupling, its
    /// <paramref name="twin"/> together; the parameter is restored afterwards.
    /// </summary>
    public static double Central(Func<double> f, float[] param, int index, int? twin, float h)
    {
        float v = param[index];
        void Set(float value) { param[index] = value; if (twin is { } t) param[t] = value; }
        Set(v + h);
        double plus = f();
        Set(v - h);
        double minus = f();
        Set(v);
        return (plus - minus) / (2 * h);
    }
}
