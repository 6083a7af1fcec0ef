using Thermo.Autograd;
using Thermo.Kernels;
using Thermo.Tensors;
using Thermo.Tests.Kernels;
using static Thermo.Tests.Autograd.GradCheck;

namespace Thermo.Tests.Autograd;

/// <summary>
/// The one-pass operations of the Ising-block surrogate against the chains of operations they replace: the same
/// values and the same gradients bit for bit, whether a gradient buffer is fresh or already holds a contribution
/// (a second backward pass without ZeroGrad), on shapes below and above the threading threshold, for 1–3 threads.
/// </summary>
public class FusedOpsTests
{
    public static TheoryData<int[]> Shapes => new() { new[] { 2, 3, 4, 5 }, new[] { 3, 5, 67, 71 }, new[] { 7, 13 } };

    /// <summary>
    /// Runs loss = Σ W ⊙ op(a, b) through two backward passes (the second adds to the first's gradients) and returns
    /// op's output, then a's and b's gradients after the first and after the second pass.
    /// </summary>
    static float[][] Run(Func<Tensor, Tensor, Tensor> op, int[] shape, int[] shapeB, int threads)
    {
        int saved = ParallelRange.Threads;
        ParallelRange.Threads = threads;
        try
        {
            var a = Random(11, 1.5f, shape); var b = Random(12, 1.5f, shapeB);
            var w = Random(13, 1f, op(a, b).Shape);
            a.RequiresGrad = true; b.RequiresGrad = true;
            var outputs = new List<float[]>();
            for (int pass = 0; pass < 2; pass++)
            {
                using var scope = new TensorScope();
                var y = op(a, b);
                if (pass == 0) outputs.Add([.. y.Data]);
                (y.Length == 1 ? F.Scale(y, 0.75f) : F.Sum(F.Mul(y, w))).Backward();
                outputs.Add([.. a.Grad!.Data]);
                outputs.Add([.. b.Grad!.Data]);
            }
            return [.. outputs];
        }
        finally { ParallelRange.Threads = saved; }
    }

    static void AssertSame(Func<Tensor, Tensor, Tensor> fused, Func<Tensor, Tensor, Tensor> chain, int[] shape, int[]? shapeB = null)
    {
        shapeB ??= shape;
        string[] names = ["output", "grad a (fresh)", "grad b (fresh)", "grad a (accumulated)", "grad b (accumulated)"];
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var expected = Run(chain, shape, shapeB, threads);
            var actual = Run(fused, shape, shapeB, threads);
            for (int i = 0; i < expected.Length; i++)
                ElementwiseTests.AssertBitwise(expected[i], actual[i], $"{names[i]}, shape [{string.Join(", ", shape)}], {threads} thread(s)");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void AddScaled_equals_Add_of_Scale(int[] shape) =>
        AssertSame((a, b) => F.AddScaled(a, b, 0.37f), (a, b) => F.Add(a, F.Scale(b, 0.37f)), shape);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MeanSquaredDifference_equals_Mean_of_Square_of_Sub(int[] shape) =>
        AssertSame(F.MeanSquaredDifference, (a, b) => F.Mean(F.Square(F.Sub(a, b))), shape);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Scaled_AddBias_equals_Scale_of_AddBias(int[] shape)
    {
        // b is the bias: one value per channel (dimension 1).
        int[] bias = [shape[1]];
        AssertSame((a, b) => F.AddBias(a, b, 0.37f), (a, b) => F.Scale(F.AddBias(a, b), 0.37f), shape, bias);
    }

    [Fact]
    public void Fused_ops_refuse_mismatched_shapes()
    {
        var a = new Tensor(new float[6], 2, 3); var b = new Tensor(new float[6], 3, 2);
        Assert.Contains("AddScaled", Assert.Throws<ArgumentException>(() => F.AddScaled(a, b, 2f)).Message);
        Assert.Contains("MeanSquaredDifference", Assert.Throws<ArgumentException>(() => F.MeanSquaredDifference(a, b)).Message);
        Assert.Contains("channels", Assert.Throws<ArgumentException>(() => F.AddBias(a, new Tensor(new float[2], 2), 0.5f)).Message);
    }
}
