using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Nn;

/// <summary>
/// A network component with parameters (trained), buffers (state such as batch-norm running statistics)
/// and children. Names form a dotted path ("features.0.weight") used by checkpoints and the Ising compiler.
/// </summary>
public abstract class Module
{
    readonly List<(string Name, Tensor Tensor)> parameters = new();
    readonly List<(string Name, Tensor Tensor)> buffers = new();
    readonly HashSet<Tensor> statistics = new(ReferenceEqualityComparer.Instance);
    readonly List<(string Name, Module Module)> children = new();

    /// <summary>Training mode (batch statistics, dropout active) versus evaluation mode.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Applies the module.</summary>
    public abstract Tensor Forward(Tensor x);

    /// <summary>Registers a trainable parameter.</summary>
    protected Tensor Parameter(string name, Tensor value)
    {
        value.RequiresGrad = true;
        value.Name = name;
        parameters.Add((name, value));
        return value;
    }

    /// <summary>Registers a non-trained state tensor saved with the model.</summary>
    protected Tensor Buffer(string name, Tensor value)
    {
        value.Name = name;
        buffers.Add((name, value));
        return value;
    }

    /// <summary>
    /// Registers a buffer that estimates a statistic of the data under the current parameters (batch-norm running mean
    /// and variance): a parameter average (the optimiser's <c>KeepEma</c>) averages it with the parameters, so the
    /// averaged weights are evaluated with statistics averaged over the same steps.
    /// </summary>
    protected Tensor Statistic(string name, Tensor value)
    {
        statistics.Add(value);
        return Buffer(name, value);
    }

    /// <summary>Registers a child module.</summary>
    protected T Child<T>(string name, T module) where T : Module
    {
        children.Add((name, module));
        return module;
    }

    /// <summary>Direct children with their names.</summary>
    public IReadOnlyList<(string Name, Module Module)> Children => children;

    /// <summary>All parameters with dotted names, depth first.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedParameters(string prefix = "")
    {
        foreach (var (n, t) in parameters) yield return (prefix + n, t);
        foreach (var (n, m) in children)
            foreach (var p in m.NamedParameters(prefix + n + ".")) yield return p;
    }

    /// <summary>All buffers with dotted names, depth first.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedBuffers(string prefix = "")
    {
        foreach (var (n, t) in buffers) yield return (prefix + n, t);
        foreach (var (n, m) in children)
            foreach (var p in m.NamedBuffers(prefix + n + ".")) yield return p;
    }

    /// <summary>The buffers registered by <see cref="Statistic"/>, with dotted names, depth first.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedStatistics(string prefix = "")
    {
        foreach (var (n, t) in buffers) if (statistics.Contains(t)) yield return (prefix + n, t);
        foreach (var (n, m) in children)
            foreach (var p in m.NamedStatistics(prefix + n + ".")) yield return p;
    }

    /// <summary>Parameters then buffers: everything a checkpoint stores.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> StateDict() => NamedParameters().Concat(NamedBuffers());

    /// <summary>All trainable parameters.</summary>
    public List<Tensor> Parameters() => NamedParameters().Select(p => p.Tensor).ToList();

    /// <summary>Sets training mode recursively.</summary>
    public Module Train(bool on = true)
    {
        Training = on;
        foreach (var (_, m) in children) m.Train(on);
        return this;
    }

    /// <summary>Evaluation mode.</summary>
    public Module Eval() => Train(false);

    /// <summary>Number of trainable scalars.</summary>
    public long ParameterCount() => NamedParameters().Sum(p => (long)p.Tensor.Length);

    /// <summary>Copies values from a state dictionary; every entry must match by name and shape.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        foreach (var (name, t) in StateDict())
        {
            if (!state.TryGetValue(name, out var src)) throw new InvalidDataException($"checkpoint has no tensor '{name}'");
            if (!src.Shape.AsSpan().SequenceEqual(t.Shape))
                throw new InvalidDataException($"checkpoint tensor '{name}' has shape {src.ShapeString}, model expects {t.ShapeString}");
            src.Data.AsSpan().CopyTo(t.Data);
        }
    }

    /// <summary>
    /// Initialises every parameter deterministically from <paramref name="seed"/> (Philox stream per
    /// parameter index): see each module's <see cref="InitParameters"/>.
    /// </summary>
    public void Initialize(ulong seed)
    {
        ulong index = 0;
        InitRecursive(this, seed, ref index);
    }

    static void InitRecursive(Module m, ulong seed, ref ulong index)
    {
        m.InitParameters(seed, index);
        index += (ulong)m.parameters.Count + 1;
        foreach (var (_, c) in m.children) InitRecursive(c, seed, ref index);
    }

    /// <summary>Module-specific initialisation; <paramref name="stream"/> is unique per module in the tree.</summary>
    protected virtual void InitParameters(ulong seed, ulong stream) { }

    /// <summary>Fills <paramref name="t"/> with U(−bound, bound) from Philox(seed, stream).</summary>
    protected static void UniformInit(Tensor t, float bound, ulong seed, ulong stream)
    {
        Philox.FillUniform(seed, stream, 0, t.Data);
        for (int i = 0; i < t.Length; i++) t.Data[i] = (2 * t.Data[i] - 1) * bound;
    }

    /// <summary>Short description used in summaries, e.g. "Conv2d(1→32, k4, s2, p1)".</summary>
    public virtual string Describe() => GetType().Name;
}
