using Thermo.Autograd;
using Thermo.Nn;
using Thermo.Tensors;
using static Thermo.Tests.Autograd.GradCheck;

namespace Thermo.Tests.Autograd;

public class GradientTests
{
    [Fact]
    public void Elementwise_ops_match_finite_differences()
    {
        var a = Random(1, 1.5f, 3, 5); var b = Random(2, 1.5f, 3, 5);
        Check(() => F.Add(a, b), [a, b]);
        Check(() => F.Sub(a, b), [a, b]);
        Check(() => F.Mul(a, b), [a, b]);
        Check(() => F.Scale(a, -2.5f), [a]);
        Check(() => F.AddScalar(a, 0.7f), [a]);
        Check(() => F.Tanh(a), [a]);
        Check(() => F.Sigmoid(a), [a]);
        Check(() => F.Square(a), [a]);
        Check(() => F.Sum(F.Square(a)), [a]);
        Check(() => F.Mean(F.Tanh(a)), [a]);
        Check(() => F.Reshape(F.Tanh(a), 5, 3), [a]);
    }

    [Fact]
    public void Piecewise_ops_match_finite_differences_away_from_kinks()
    {
        // Values in ±[0.2, 0.8] ∪ ±[1.2, 1.8]: no kink within eps of any element.
        var x = Random(3, 1f, 4, 6);
        for (int i = 0; i < x.Length; i++)
        {
            float v = 0.2f + 0.6f * MathF.Abs(x.Data[i]);
            x.Data[i] = (i % 2 == 0 ? 1 : -1) * (i % 3 == 0 ? v + 1f : v);
        }
        Check(() => F.Relu(x), [x]);
        Check(() => F.HardTanh(x), [x]);
        Check(() => F.Abs(x), [x]);
    }

    [Fact]
    public void SignSte_passes_gradient_only_inside_unit_interval()
    {
        var x = new Tensor([-2f, -0.5f, 0f, 0.5f, 3f], 5) { RequiresGrad = true };
        var y = F.SignSte(x);
        Assert.Equal([-1f, -1f, 1f, 1f, 1f], y.Data);
        F.Sum(F.Mul(y, new Tensor([1f, 2f, 3f, 4f, 5f], 5))).Backward();
        Assert.Equal([0f, 2f, 3f, 4f, 0f], x.Grad!.Data);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void MatMul_matches_finite_differences_for_all_transposes(bool ta, bool tb)
    {
        var a = ta ? Random(4, 1, 5, 3) : Random(4, 1, 3, 5);
        var b = tb ? Random(5, 1, 4, 5) : Random(5, 1, 5, 4);
        Check(() => F.MatMul(a, b, ta, tb), [a, b]);
    }

    [Fact]
    public void Linear_and_bias_match_finite_differences()
    {
        var x = Random(6, 1, 4, 7); var w = Random(7, 0.5f, 3, 7); var b = Random(8, 0.5f, 3);
        Check(() => F.Linear(x, w, b), [x, w, b]);
        var img = Random(9, 1, 2, 3, 4, 4);
        Check(() => F.AddBias(img, b), [img, b]);
    }

    [Theory]
    [InlineData(1, 0, 1, 3)]
    [InlineData(2, 1, 1, 4)]
    [InlineData(2, 2, 1, 3)]
    [InlineData(1, 1, 2, 3)]
    public void Conv2d_matches_finite_differences(int stride, int padding, int groups, int kernel)
    {
        var x = Random(10, 1, 2, 4, 7, 6);
        var w = Random(11, 0.5f, 6, 4 / groups, kernel, kernel);
        var b = Random(12, 0.5f, 6);
        Check(() => F.Conv2d(x, w, b, stride, padding, groups), [x, w, b]);
    }

    [Fact]
    public void ConvTranspose2d_matches_finite_differences_and_is_the_adjoint_of_Conv2d()
    {
        var w = Random(13, 0.5f, 5, 3, 4, 4);
        var y = Random(14, 1, 2, 5, 4, 4); // conv output of a 3x8x8 input with k4 s2 p1
        Check(() => F.ConvTranspose2d(y, w, 8, 8, 2, 1), [y, w]);
        // <conv(x), y> = <x, convᵀ(y)>
        var x = Random(15, 1, 2, 3, 8, 8);
        using var _ = GradMode.NoGrad();
        double lhs = Dot(F.Conv2d(x, w, null, 2, 1), y), rhs = Dot(x, F.ConvTranspose2d(y, w, 8, 8, 2, 1));
        Assert.Equal(lhs, rhs, 1e-3);
    }

    static double Dot(Tensor a, Tensor b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a.Data[i] * b.Data[i];
        return s;
    }

    [Fact]
    public void BatchNorm_matches_finite_differences_in_training_and_eval()
    {
        var x = Random(16, 2, 3, 4, 3, 2); var g = Random(17, 1, 4); var b = Random(18, 1, 4);
        var rm = new Tensor(new float[4], 4); var rv = new Tensor([1f, 2f, 0.5f, 1f], 4);
        Check(() => F.BatchNorm(x, g, b, rm, rv, training: true), [x, g, b], eps: 3e-3f);
        Check(() => F.BatchNorm(x, g, b, rm, rv, training: false), [x, g, b]);
        var x1 = Random(19, 2, 6, 4);
        Check(() => F.BatchNorm(x1, g, b, rm, rv, training: true), [x1, g, b], eps: 3e-3f);
    }

    [Fact]
    public void Pooling_matches_finite_differences()
    {
        var x = Random(20, 1, 2, 3, 6, 6);
        Check(() => F.AvgPool2d(x, 2), [x]);
        Check(() => F.AvgPool2d(x, 3, 2), [x]);
        Check(() => F.GlobalAvgPool(x), [x]);
        // Max pooling: distinct values 0.05 apart so no finite-difference step crosses a tie.
        var order = Enumerable.Range(0, x.Length).OrderBy(i => Thermo.Randomness.Philox.Uniform(3, 4, (ulong)i)).ToArray();
        var distinct = new Tensor(new float[x.Length], x.Shape) { RequiresGrad = true };
        for (int i = 0; i < x.Length; i++) distinct.Data[order[i]] = 0.05f * i - 5f;
        Check(() => F.MaxPool2d(distinct, 2), [distinct]);
        Check(() => F.MaxPool2d(distinct, 3, 2), [distinct]);
    }

    [Fact]
    public void CrossEntropy_with_label_smoothing_matches_finite_differences()
    {
        var z = Random(21, 2, 5, 4);
        int[] labels = [0, 3, 2, 1, 3];
        Check(() => F.CrossEntropy(z, labels, 0.1f), [z]);
        Check(() => F.CrossEntropy(z, labels), [z]);
    }

    [Fact]
    public void CrossEntropy_equals_negative_log_softmax_of_label()
    {
        var z = new Tensor([1f, 2f, 3f], 1, 3);
        double expected = -(3 - Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)));
        Assert.Equal(expected, F.CrossEntropy(z, [2]).Item(), 5);
    }

    [Fact]
    public void Dropout_matches_finite_differences_and_drops_about_p()
    {
        var x = Random(22, 1, 8, 8);
        Check(() => F.Dropout(x, 0.3f, 7, 1), [x]);
        var big = new Tensor(Enumerable.Repeat(1f, 100000).ToArray(), 100000);
        var y = F.Dropout(big, 0.3f, 7, 2);
        double dropped = y.Data.Count(v => v == 0) / 100000.0;
        Assert.InRange(dropped, 0.3 - 0.0073, 0.3 + 0.0073); // 5σ, σ = sqrt(0.21/1e5)
        Assert.Equal(1.0, y.Data.Average(v => (double)v), 0.02);
    }

    [Fact]
    public void Modules_compose_and_gradients_reach_every_parameter()
    {
        var net = new Sequential(
            new Conv2d(2, 4, 3, padding: 1), new BatchNorm(4), new Tanh(), new AvgPool2d(2),
            new Residual(new Sequential(new Conv2d(4, 4, 3, padding: 1), new HardTanh())),
            new Flatten(), new Linear(4 * 3 * 3, 3));
        net.Initialize(42);
        var x = Random(23, 1, 2, 2, 6, 6);
        var ps = net.Parameters();
        Check(() => net.Forward(x), [.. ps, x], eps: 3e-3f, atol: 4e-3f);
        Assert.All(ps, p => Assert.NotNull(p.Grad));
    }

    [Fact]
    public void Gradients_accumulate_across_backward_calls_until_ZeroGrad()
    {
        var w = new Tensor([2f], 1) { RequiresGrad = true };
        var x = new Tensor([3f], 1);
        F.Sum(F.Mul(w, x)).Backward();
        F.Sum(F.Mul(w, x)).Backward();
        Assert.Equal(6f, w.Grad!.Data[0]);
        w.ZeroGrad();
        Assert.Null(w.Grad);
        F.Sum(F.Mul(w, x)).Backward();
        Assert.Equal(3f, w.Grad!.Data[0]);
    }

    [Fact]
    public void A_tensor_used_twice_receives_the_sum_of_both_paths()
    {
        var x = new Tensor([0.5f, -1f], 2) { RequiresGrad = true };
        F.Sum(F.Add(F.Mul(x, x), F.Scale(x, 3))).Backward();
        Assert.Equal([2 * 0.5f + 3, 2 * -1f + 3], x.Grad!.Data);
    }

    [Fact]
    public void NoGrad_records_nothing()
    {
        var x = new Tensor([1f], 1) { RequiresGrad = true };
        using (GradMode.NoGrad()) Assert.False(F.Tanh(x).RequiresGrad);
        Assert.True(F.Tanh(x).RequiresGrad);
    }

    [Fact]
    public void Scoped_buffers_are_reused_after_the_scope_ends()
    {
        float[] first;
        using (new TensorScope()) first = Tensor.Empty(1234567).Data;
        using (new TensorScope()) Assert.Same(first, Tensor.Empty(1234567).Data);
    }

    [Fact]
    public void Bad_shapes_give_clear_errors()
    {
        var a = new Tensor(new float[6], 2, 3);
        Assert.Contains("inner dimensions", Assert.Throws<ArgumentException>(() => F.MatMul(a, a)).Message);
        Assert.Contains("channels", Assert.Throws<ArgumentException>(() => F.Conv2d(new Tensor(new float[2 * 3 * 5 * 5], 2, 3, 5, 5), new Tensor(new float[4 * 2 * 9], 4, 2, 3, 3))).Message);
        Assert.Contains("label", Assert.Throws<ArgumentException>(() => F.CrossEntropy(a, [0, 3])).Message);
    }
}
