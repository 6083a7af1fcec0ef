using Thermo.Autograd;
using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Tests.Autograd;

/// <summary>Central finite-difference check of reverse-mode gradients of L = Σ r ⊙ f(inputs), r random.</summary>
internal static class GradCheck
{
    public static Tensor Random(ulong seed, float scale, params int[] shape)
    {
        var t = new Tensor(new float[Tensor.ShapeSize(shape)], shape);
        Philox.FillUniform(seed, 99, 0, t.Data);
        for (int i = 0; i < t.Length; i++) t.Data[i] = (2 * t.Data[i] - 1) * scale;
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>Asserts analytic and numeric gradients agree for every element of every input.</summary>
    public static void Check(Func<Tensor> f, Tensor[] inputs, float eps = 1e-2f, float atol = 2e-3f, float rtol = 2e-2f)
    {
        var probe = f();
        var r = new float[probe.Length];
        Philox.FillUniform(1234, 5, 0, r);
        for (int i = 0; i < r.Length; i++) r[i] = 2 * r[i] - 1;
        double Loss()
        {
            var y = f();
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += (double)r[i] * y.Data[i];
            return s;
        }
        foreach (var x in inputs) x.ZeroGrad();
        var y0 = f();
        var rt = new Tensor((float[])r.Clone(), y0.Shape);
        Thermo.Autograd.F.Sum(Thermo.Autograd.F.Mul(y0, rt)).Backward();
        foreach (var x in inputs)
        {
            var analytic = x.Grad?.Data ?? new float[x.Length];
            for (int i = 0; i < x.Length; i++)
            {
                float old = x.Data[i];
                x.Data[i] = old + eps; double lp = Loss();
                x.Data[i] = old - eps; double lm = Loss();
                x.Data[i] = old;
                double numeric = (lp - lm) / (2 * eps);
                double tol = atol + rtol * Math.Abs(numeric);
                Assert.True(Math.Abs(analytic[i] - numeric) <= tol,
                    $"{x.Name ?? "input"}[{i}]: analytic {analytic[i]:G6}, numeric {numeric:G6}");
            }
        }
    }
}
