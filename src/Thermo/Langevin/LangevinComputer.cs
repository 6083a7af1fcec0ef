using Thermo.Kernels;

namespace Thermo.Langevin;

/// <summary>
/// A Langevin thermodynamic computer (Whitelam 2025, "Training thermodynamic computers by gradient descent"):
/// real-valued units x_i in the potential
/// <code>V(x) = Σ_i (J2 x_i² + J4 x_i⁴) + Σ_i b_i x_i + Σ_(i&lt;j) J_ij x_i x_j</code>
/// in energy units of kT. Inputs are clamped; the moving units (hidden, then output) follow overdamped
/// Langevin dynamics dx_i/dt = −μ ∂V/∂x_i + √(2 μ kT) η_i. This object is the program (what the machine
/// is); how long it runs is a <see cref="LangevinSchedule"/>.
/// </summary>
/// <remarks>
/// Unit order: inputs [0, I), hidden [I, I+H), outputs [I+H, I+H+O). Moving index m = unit − I.
/// Storage: <see cref="InputCoupling"/>[j·M + m] couples input j to moving unit m (classes input–hidden and
/// input–output); <see cref="MovingCoupling"/>[m·M + n] = J between moving units (symmetric, zero diagonal;
/// classes hidden–hidden, hidden–output, output–output); <see cref="Bias"/>[m]; <see cref="InputLattice"/>[2j + d]
/// couples input j to its left (d = 0) and lower (d = 1) neighbour on a periodic square lattice of
/// <see cref="LatticeWidth"/> columns, as in the published code. Biases of clamped inputs only shift V by a
/// constant and are not stored.
/// </remarks>
public sealed class LangevinComputer
{
    /// <summary>Number of clamped input units I.</summary>
    public int Inputs { get; }
    /// <summary>Number of hidden units H.</summary>
    public int Hidden { get; }
    /// <summary>Number of output units O.</summary>
    public int Outputs { get; }
    /// <summary>Moving units M = H + O.</summary>
    public int Moving => Hidden + Outputs;
    /// <summary>Columns of the input lattice (for input–input couplings); 0 when the inputs have no lattice.</summary>
    public int LatticeWidth { get; }
    /// <summary>Coupling classes that may be non-zero.</summary>
    public CouplingClasses Classes { get; }

    /// <summary>Thermal energy kT (the energy unit; 1 in the published setting).</summary>
    public float KT { get; set; } = 1f;
    /// <summary>Quadratic on-site coefficient J2.</summary>
    public float J2 { get; set; } = 1f;
    /// <summary>Quartic on-site coefficient J4.</summary>
    public float J4 { get; set; } = 1f;
    /// <summary>Mobility μ (1 in the published setting).</summary>
    public float Mobility { get; set; } = 1f;
    /// <summary>How raw inputs are turned into clamped values.</summary>
    public InputNormalization Normalization { get; set; }

    /// <summary>[I × M] input-to-moving couplings.</summary>
    public float[] InputCoupling { get; }
    /// <summary>[M × M] symmetric moving-unit couplings with zero diagonal.</summary>
    public float[] MovingCoupling { get; }
    /// <summary>[M] biases of the moving units.</summary>
    public float[] Bias { get; }
    /// <summary>[I × 2] input–input lattice couplings (left, down; periodic).</summary>
    public float[] InputLattice { get; }

    /// <summary>Creates a computer with all parameters zero.</summary>
    public LangevinComputer(int inputs, int hidden, int outputs, CouplingClasses classes = CouplingClasses.Published, int latticeWidth = 0)
    {
        if (inputs < 0 || hidden < 0 || outputs <= 0) throw new ArgumentException($"bad layout: {inputs} inputs, {hidden} hidden, {outputs} outputs (need inputs ≥ 0, hidden ≥ 0, outputs > 0)");
        if (latticeWidth < 0 || (latticeWidth > 0 && inputs % latticeWidth != 0))
            throw new ArgumentException($"lattice width {latticeWidth} does not divide {inputs} inputs");
        Inputs = inputs; Hidden = hidden; Outputs = outputs; Classes = classes; LatticeWidth = latticeWidth;
        InputCoupling = new float[inputs * Moving];
        MovingCoupling = new float[Moving * Moving];
        Bias = new float[Moving];
        InputLattice = new float[inputs * 2];
        Normalization = InputNormalization.Mnist(0);
    }

    /// <summary>The published MNIST computer: 784 inputs on a 28×28 lattice, 64 hidden, 10 outputs, kT = J2 = J4 = μ = 1.</summary>
    public static LangevinComputer PublishedMnist(int hidden = 64, CouplingClasses classes = CouplingClasses.Published) =>
        new(784, hidden, 10, classes, 28);

    /// <summary>Deep copy.</summary>
    public LangevinComputer Clone()
    {
        var c = new LangevinComputer(Inputs, Hidden, Outputs, Classes, LatticeWidth)
        {
            KT = KT, J2 = J2, J4 = J4, Mobility = Mobility, Normalization = Normalization,
        };
        InputCoupling.CopyTo(c.InputCoupling, 0);
        MovingCoupling.CopyTo(c.MovingCoupling, 0);
        Bias.CopyTo(c.Bias, 0);
        InputLattice.CopyTo(c.InputLattice, 0);
        return c;
    }

    /// <summary>Whether a coupling class is switched on.</summary>
    public bool Has(CouplingClasses c) => (Classes & c) == c;

    /// <summary>The class of the coupling between moving units m and n (m ≠ n).</summary>
    public CouplingClasses MovingPairClass(int m, int n) => (m < Hidden, n < Hidden) switch
    {
        (true, true) => CouplingClasses.HiddenHidden,
        (false, false) => CouplingClasses.OutputOutput,
        _ => CouplingClasses.HiddenOutput,
    };

    /// <summary>The class of the coupling between an input and moving unit m.</summary>
    public CouplingClasses InputClass(int m) => m < Hidden ? CouplingClasses.InputHidden : CouplingClasses.InputOutput;

    /// <summary>
    /// The input at the other end of lattice bond d of input j: d = 0 the left neighbour (x − 1), d = 1 the lower
    /// one (y + 1), periodic in both directions (the published neighbour order); −1 without a lattice.
    /// </summary>
    public int LatticeNeighbor(int j, int d)
    {
        if (LatticeWidth == 0) return -1;
        int w = LatticeWidth, h = Inputs / w, x = j % w, y = j / w;
        return d == 0 ? y * w + (x - 1 + w) % w : (y + 1) % h * w + x;
    }

    /// <summary>
    /// Makes the stored parameters consistent: switched-off classes and missing lattice bonds are zeroed,
    /// <see cref="MovingCoupling"/> is symmetrised ((J + Jᵀ)/2) and its diagonal cleared.
    /// </summary>
    public void Enforce()
    {
        int m = Moving;
        for (int i = 0; i < m; i++)
        {
            MovingCoupling[i * m + i] = 0;
            for (int j = i + 1; j < m; j++)
            {
                float v = (Classes & MovingPairClass(i, j)) != 0 ? 0.5f * (MovingCoupling[i * m + j] + MovingCoupling[j * m + i]) : 0f;
                MovingCoupling[i * m + j] = v; MovingCoupling[j * m + i] = v;
            }
        }
        for (int i = 0; i < m; i++)
            if ((Classes & InputClass(i)) == 0)
                for (int j = 0; j < Inputs; j++) InputCoupling[j * m + i] = 0;
        for (int j = 0; j < Inputs; j++)
            for (int d = 0; d < 2; d++)
                if ((Classes & CouplingClasses.InputInput) == 0 || LatticeWidth == 0) InputLattice[2 * j + d] = 0;
    }

    /// <summary>
    /// Constant fields of clamped inputs: fields[n·M + m] = b_m + Σ_j x_(n,j) J_(j,m) for <paramref name="count"/>
    /// input rows (one GEMM).
    /// </summary>
    public void InputFields(ReadOnlySpan<float> inputs, int count, Span<float> fields)
    {
        int m = Moving;
        if (inputs.Length < (long)count * Inputs) throw new ArgumentException($"inputs: expected {count}×{Inputs} values, got {inputs.Length}");
        if (fields.Length < (long)count * m) throw new ArgumentException($"fields: expected {count}×{m} values, got {fields.Length}");
        if (Inputs > 0)
            Gemm.Sgemm(false, false, count, m, Inputs, 1f, inputs, Inputs, InputCoupling, m, 0f, fields, m);
        else fields[..(count * m)].Clear();
        for (int n = 0; n < count; n++)
        {
            var row = fields.Slice(n * m, m);
            for (int i = 0; i < m; i++) row[i] += Bias[i];
        }
    }

    /// <summary>
    /// V(x) in units of energy (kT = <see cref="KT"/>) for clamped <paramref name="input"/> and moving state
    /// <paramref name="moving"/>, including the constant input terms.
    /// </summary>
    public double Potential(ReadOnlySpan<float> input, ReadOnlySpan<float> moving)
    {
        int m = Moving;
        double v = 0;
        for (int j = 0; j < Inputs; j++)
        {
            double x = input[j];
            v += J2 * x * x + J4 * x * x * x * x;
            if (LatticeWidth > 0)
                for (int d = 0; d < 2; d++) v += InputLattice[2 * j + d] * x * input[LatticeNeighbor(j, d)];
            double s = 0;
            for (int i = 0; i < m; i++) s += InputCoupling[j * m + i] * (double)moving[i];
            v += x * s;
        }
        for (int i = 0; i < m; i++)
        {
            double x = moving[i];
            v += J2 * x * x + J4 * x * x * x * x + Bias[i] * x;
            for (int k = i + 1; k < m; k++) v += MovingCoupling[i * m + k] * x * moving[k];
        }
        return v;
    }

    /// <summary>∂V/∂x_m for every moving unit (reference implementation, double accumulation).</summary>
    public void Gradient(ReadOnlySpan<float> input, ReadOnlySpan<float> moving, Span<float> gradient)
    {
        int m = Moving;
        for (int i = 0; i < m; i++)
        {
            double x = moving[i];
            double g = 2 * J2 * x + 4 * J4 * x * x * x + Bias[i];
            for (int j = 0; j < Inputs; j++) g += InputCoupling[j * m + i] * (double)input[j];
            for (int k = 0; k < m; k++) g += MovingCoupling[i * m + k] * (double)moving[k];
            gradient[i] = (float)g;
        }
    }

    /// <summary>Number of free parameters (couplings in enabled classes plus biases).</summary>
    public long ParameterCount()
    {
        long n = Moving;
        int m = Moving;
        for (int i = 0; i < m; i++)
        {
            if ((Classes & InputClass(i)) != 0) n += Inputs;
            for (int k = i + 1; k < m; k++) if ((Classes & MovingPairClass(i, k)) != 0) n++;
        }
        if ((Classes & CouplingClasses.InputInput) != 0 && LatticeWidth > 0) n += 2L * Inputs;
        return n;
    }
}
