namespace Thermo.Langevin;

/// <summary>Classification scores of a Langevin computer on a labelled set.</summary>
public sealed class LangevinScores
{
    /// <summary>Inputs and trajectories per input.</summary>
    public required int Count { get; init; }
    /// <inheritdoc cref="Count"/>
    public required int Trajectories { get; init; }
    /// <summary>Observation time t_f.</summary>
    public required double FinalTime { get; init; }
    /// <summary>Top-1 / top-2 accuracy of a single trajectory (mean over all Count × Trajectories trajectories).</summary>
    public required double Top1 { get; init; }
    /// <inheritdoc cref="Top1"/>
    public required double Top2 { get; init; }
    /// <summary>Standard error of <see cref="Top1"/> over inputs.</summary>
    public required double Top1StdErr { get; init; }
    /// <summary>Top-1 / top-2 accuracy of the outputs averaged over the K = Trajectories trajectories of each input.</summary>
    public required double Top1Averaged { get; init; }
    /// <inheritdoc cref="Top1Averaged"/>
    public required double Top2Averaged { get; init; }
    /// <summary>[true class × predicted class] counts of single trajectories (all of them).</summary>
    public required int[] Confusion { get; init; }
    /// <summary>Classes.</summary>
    public required int Classes { get; init; }
    /// <summary>
    /// Mean and standard deviation of the heat released per trajectory, in the energy unit of V (NaN when not
    /// measured); divide by kT for kT units (<see cref="InferenceEnergy"/>), which do not exist at kT = 0.
    /// </summary>
    public double HeatMean { get; init; } = double.NaN;
    /// <inheritdoc cref="HeatMean"/>
    public double HeatStd { get; init; } = double.NaN;
}

/// <summary>
/// Evaluates a computer as a classifier: prediction = argmax of the output units at t_f, from one trajectory or from
/// the mean of K trajectories per input; also the confusion matrix and the heat per inference.
/// </summary>
public static class LangevinEvaluation
{
    /// <summary>Scores on <paramref name="count"/> normalised inputs [count × I] with <paramref name="labels"/>.</summary>
    public static LangevinScores Evaluate(LangevinComputer computer, LangevinSchedule schedule, ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, int count,
        int trajectories = 1, ulong seed = 0, bool heat = false, int chunk = 2000, Action<int>? progress = null)
    {
        int ni = computer.Inputs, o = computer.Outputs, h = computer.Hidden, m = computer.Moving;
        long top1 = 0, top2 = 0, avg1 = 0, avg2 = 0;
        double sumSq = 0, heatSum = 0, heatSq = 0;
        var confusion = new int[o * o];
        var mean = new float[o];
        for (int start = 0; start < count; start += chunk)
        {
            int n = Math.Min(chunk, count - start);
            var run = LangevinSimulator.Run(computer, schedule, inputs.Slice(start * ni, n * ni), n,
                new LangevinRunOptions { Trajectories = trajectories, Seed = seed, FirstInput = start, Heat = heat });
            for (int q = 0; q < n; q++)
            {
                int label = labels[start + q], correct = 0;
                Array.Clear(mean);
                for (int t = 0; t < trajectories; t++)
                {
                    var outs = run.Final.AsSpan((q * trajectories + t) * m + h, o);
                    var (first, second) = TopTwo(outs);
                    if (first == label) { top1++; correct++; }
                    if (first == label || second == label) top2++;
                    confusion[label * o + first]++;
                    for (int i = 0; i < o; i++) mean[i] += outs[i];
                    if (heat) { double qv = run.Heat![q * trajectories + t]; heatSum += qv; heatSq += qv * qv; }
                }
                double frac = (double)correct / trajectories;
                sumSq += frac * frac;
                var (a1, a2) = TopTwo(mean);
                if (a1 == label) avg1++;
                if (a1 == label || a2 == label) avg2++;
            }
            progress?.Invoke(start + n);
        }
        double total = (double)count * trajectories;
        double p1 = top1 / total;
        double varInputs = Math.Max(0, sumSq / count - p1 * p1);
        return new LangevinScores
        {
            Count = count, Trajectories = trajectories, FinalTime = schedule.FinalTime, Classes = o,
            Top1 = p1, Top2 = top2 / total, Top1StdErr = Math.Sqrt(varInputs / count),
            Top1Averaged = (double)avg1 / count, Top2Averaged = (double)avg2 / count, Confusion = confusion,
            HeatMean = heat ? heatSum / total : double.NaN,
            HeatStd = heat ? Math.Sqrt(Math.Max(0, heatSq / total - (heatSum / total) * (heatSum / total))) : double.NaN,
        };
    }

    /// <summary>Single-trajectory accuracy at one observation time.</summary>
    public readonly record struct TimePoint(double Time, double Top1, double Top2);

    /// <summary>
    /// Single-trajectory accuracy at several observation times from one run per input (the outputs are read at each
    /// time along the same trajectory, so the points are correlated but each is an honest single-trajectory readout).
    /// </summary>
    public static List<TimePoint> AccuracyOverTime(LangevinComputer computer, float dt, ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, int count,
        IReadOnlyList<double> times, ulong seed = 0, int chunk = 2000)
    {
        var steps = times.Select(t => (int)Math.Round(t / dt)).ToArray();
        var schedule = new LangevinSchedule(dt, steps.Max());
        int ni = computer.Inputs, o = computer.Outputs;
        var top1 = new long[steps.Length];
        var top2 = new long[steps.Length];
        for (int start = 0; start < count; start += chunk)
        {
            int n = Math.Min(chunk, count - start);
            var snap = new OutputSnapshots(steps, computer.Hidden, o);
            LangevinSimulator.Run(computer, schedule, inputs.Slice(start * ni, n * ni), n, new LangevinRunOptions { Seed = seed, FirstInput = start, Observer = snap });
            for (int q = 0; q < n; q++)
                for (int s = 0; s < steps.Length; s++)
                {
                    var (a, b) = TopTwo(snap.Values.AsSpan((q * steps.Length + s) * o, o));
                    int label = labels[start + q];
                    if (a == label) top1[s]++;
                    if (a == label || b == label) top2[s]++;
                }
        }
        return [.. Enumerable.Range(0, steps.Length).Select(s => new TimePoint(steps[s] * (double)dt, (double)top1[s] / count, (double)top2[s] / count))];
    }

    sealed class OutputSnapshots(int[] steps, int firstOutput, int outputs) : ILangevinObserver
    {
        public float[] Values = [];
        public void Begin(int rows, int moving, LangevinSchedule schedule) => Values = new float[rows * steps.Length * outputs];
        public void Observe(int step, int row0, int count, ReadOnlySpan<float> x, int stride)
        {
            for (int s = 0; s < steps.Length; s++)
            {
                if (steps[s] != step) continue;
                for (int r = 0; r < count; r++)
                    x.Slice(r * stride + firstOutput, outputs).CopyTo(Values.AsSpan(((row0 + r) * steps.Length + s) * outputs, outputs));
            }
        }
    }

    /// <summary>Indices of the largest and second-largest values (ties: lowest index first).</summary>
    public static (int First, int Second) TopTwo(ReadOnlySpan<float> v)
    {
        int first = 0, second = -1;
        for (int i = 1; i < v.Length; i++)
        {
            if (v[i] > v[first]) { second = first; first = i; }
            else if (second < 0 || v[i] > v[second]) second = i;
        }
        return (first, second < 0 ? first : second);
    }
}
