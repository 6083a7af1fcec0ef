namespace Thermo.Langevin;

/// <summary>
/// A gradient (or any per-parameter quantity) shaped like a <see cref="LangevinComputer"/>'s parameters, in double.
/// The entry of a tied coupling J_ij between moving units is stored at both [i, j] and [j, i].
/// </summary>
public sealed class LangevinGradient
{
    /// <summary>[I × M], like <see cref="LangevinComputer.InputCoupling"/>.</summary>
    public double[] InputCoupling { get; }
    /// <summary>[M × M] symmetric, like <see cref="LangevinComputer.MovingCoupling"/>.</summary>
    public double[] MovingCoupling { get; }
    /// <summary>[M], like <see cref="LangevinComputer.Bias"/>.</summary>
    public double[] Bias { get; }

    /// <summary>Zero gradient for <paramref name="computer"/>'s layout.</summary>
    public LangevinGradient(LangevinComputer computer)
    {
        InputCoupling = new double[computer.Inputs * computer.Moving];
        MovingCoupling = new double[computer.Moving * computer.Moving];
        Bias = new double[computer.Moving];
    }

    /// <summary>Sets every entry to zero.</summary>
    public void Clear()
    {
        Array.Clear(InputCoupling); Array.Clear(MovingCoupling); Array.Clear(Bias);
    }
}
