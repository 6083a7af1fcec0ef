using Thermo.Autograd;
using Thermo.Tensors;

namespace Thermo.Nn;

/// <summary>y = x·Wᵀ + b, W [out, in]; initialised U(±1/√in) like PyTorch.</summary>
public sealed class Linear : Module
{
    /// <summary>Weight [out, in].</summary>
    public Tensor Weight { get; }
    /// <summary>Bias [out] or null.</summary>
    public Tensor? Bias { get; }
    /// <summary>Input and output features.</summary>
    public int InFeatures { get; }
    /// <inheritdoc cref="InFeatures"/>
    public int OutFeatures { get; }

    /// <summary>Creates the layer (weights zero until <see cref="Module.Initialize"/>).</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true)
    {
        InFeatures = inFeatures; OutFeatures = outFeatures;
        Weight = Parameter("weight", new Tensor(new float[outFeatures * inFeatures], outFeatures, inFeatures));
        if (bias) Bias = Parameter("bias", new Tensor(new float[outFeatures], outFeatures));
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.Linear(x.Rank == 2 ? x : F.Flatten(x), Weight, Bias);

    /// <inheritdoc/>
    protected override void InitParameters(ulong seed, ulong stream)
    {
        float bound = 1f / MathF.Sqrt(InFeatures);
        UniformInit(Weight, bound, seed, stream);
        if (Bias is not null) UniformInit(Bias, bound, seed, stream + 1);
    }

    /// <inheritdoc/>
    public override string Describe() => $"Linear({InFeatures}→{OutFeatures})";
}

/// <summary>2-D convolution, weight [out, in/groups, k, k]; initialised U(±1/√fan_in) like PyTorch.</summary>
public sealed class Conv2d : Module
{
    /// <summary>Weight [out, in/groups, k, k].</summary>
    public Tensor Weight { get; }
    /// <summary>Bias [out] or null.</summary>
    public Tensor? Bias { get; }
    /// <summary>Geometry.</summary>
    public int InChannels { get; }
    /// <inheritdoc cref="InChannels"/>
    public int OutChannels { get; }
    /// <inheritdoc cref="InChannels"/>
    public int Kernel { get; }
    /// <inheritdoc cref="InChannels"/>
    public int Stride { get; }
    /// <inheritdoc cref="InChannels"/>
    public int Padding { get; }
    /// <inheritdoc cref="InChannels"/>
    public int Groups { get; }

    /// <summary>Creates the layer (weights zero until <see cref="Module.Initialize"/>).</summary>
    public Conv2d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, int groups = 1, bool bias = true)
    {
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d: channels {inChannels}→{outChannels} not divisible by groups {groups}");
        InChannels = inChannels; OutChannels = outChannels; Kernel = kernel; Stride = stride; Padding = padding; Groups = groups;
        Weight = Parameter("weight", new Tensor(new float[outChannels * (inChannels / groups) * kernel * kernel], outChannels, inChannels / groups, kernel, kernel));
        if (bias) Bias = Parameter("bias", new Tensor(new float[outChannels], outChannels));
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.Conv2d(x, Weight, Bias, Stride, Padding, Groups);

    /// <inheritdoc/>
    protected override void InitParameters(ulong seed, ulong stream)
    {
        float bound = 1f / MathF.Sqrt(InChannels / Groups * Kernel * Kernel);
        UniformInit(Weight, bound, seed, stream);
        if (Bias is not null) UniformInit(Bias, bound, seed, stream + 1);
    }

    /// <inheritdoc/>
    public override string Describe() => $"Conv2d({InChannels}→{OutChannels}, k{Kernel}, s{Stride}, p{Padding}{(Groups > 1 ? $", g{Groups}" : "")})";
}

/// <summary>Batch normalisation over channels (dimension 1) of [N, C] or [N, C, H, W]: see <see cref="F.BatchNorm"/>.</summary>
public sealed class BatchNorm : Module
{
    /// <summary>Scale γ, shift β, and running statistics.</summary>
    public Tensor Gamma { get; }
    /// <inheritdoc cref="Gamma"/>
    public Tensor Beta { get; }
    /// <inheritdoc cref="Gamma"/>
    public Tensor RunningMean { get; }
    /// <inheritdoc cref="Gamma"/>
    public Tensor RunningVar { get; }
    /// <summary>Momentum of the running statistics and ε.</summary>
    public float Momentum { get; }
    /// <inheritdoc cref="Momentum"/>
    public float Eps { get; }
    /// <summary>Number of channels.</summary>
    public int Channels { get; }

    /// <summary>Creates the layer with γ = 1, β = 0, running mean 0, running variance 1.</summary>
    public BatchNorm(int channels, float momentum = 0.1f, float eps = 1e-5f)
    {
        Channels = channels; Momentum = momentum; Eps = eps;
        Gamma = Parameter("weight", new Tensor(Enumerable.Repeat(1f, channels).ToArray(), channels));
        Beta = Parameter("bias", new Tensor(new float[channels], channels));
        RunningMean = Buffer("running_mean", new Tensor(new float[channels], channels));
        RunningVar = Buffer("running_var", new Tensor(Enumerable.Repeat(1f, channels).ToArray(), channels));
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.BatchNorm(x, Gamma, Beta, RunningMean, RunningVar, Training, Momentum, Eps);

    /// <inheritdoc/>
    protected override void InitParameters(ulong seed, ulong stream)
    {
        Gamma.Span.Fill(1f); Beta.Span.Clear(); RunningMean.Span.Clear(); RunningVar.Span.Fill(1f);
    }

    /// <inheritdoc/>
    public override string Describe() => $"BatchNorm({Channels})";
}

/// <summary>Average pooling k×k, stride s (default k).</summary>
public sealed class AvgPool2d(int kernel, int stride = 0) : Module
{
    /// <summary>Window and stride.</summary>
    public int Kernel { get; } = kernel;
    /// <inheritdoc cref="Kernel"/>
    public int Stride { get; } = stride <= 0 ? kernel : stride;
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.AvgPool2d(x, Kernel, Stride);
    /// <inheritdoc/>
    public override string Describe() => $"AvgPool2d(k{Kernel}, s{Stride})";
}

/// <summary>Global average pooling [N, C, H, W] → [N, C].</summary>
public sealed class GlobalAvgPool : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.GlobalAvgPool(x);
}

/// <summary>[N, ...] → [N, prod(...)].</summary>
public sealed class Flatten : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.Flatten(x);
}

/// <summary>tanh.</summary>
public sealed class Tanh : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.Tanh(x);
}

/// <summary>clamp(x, −1, 1).</summary>
public sealed class HardTanh : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.HardTanh(x);
}

/// <summary>sign(x) with the straight-through gradient.</summary>
public sealed class SignSte : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.SignSte(x);
}

/// <summary>max(x, 0).</summary>
public sealed class Relu : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.Relu(x);
}

/// <summary>Inverted dropout with counter-based masks (seeded, one stream per forward call).</summary>
public sealed class Dropout(float p, ulong seed = 0) : Module
{
    ulong calls;
    /// <summary>Drop probability.</summary>
    public float P { get; } = p;
    /// <summary>Number of forward calls in training mode so far (part of the checkpointed training state).</summary>
    public ulong Calls { get => calls; set => calls = value; }
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => Training ? F.Dropout(x, P, seed, calls++) : x;
    /// <inheritdoc/>
    public override string Describe() => $"Dropout({P})";
}

/// <summary>Applies children in order.</summary>
public sealed class Sequential : Module
{
    readonly List<Module> layers = new();

    /// <summary>Builds from layers, named "0", "1", ….</summary>
    public Sequential(params Module[] modules)
    {
        foreach (var m in modules) Add(m);
    }

    /// <summary>Appends a layer.</summary>
    public Sequential Add(Module m)
    {
        layers.Add(Child(layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), m));
        return this;
    }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<Module> Layers => layers;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x)
    {
        foreach (var m in layers) x = m.Forward(x);
        return x;
    }
}

/// <summary>y = body(x) + shortcut(x) (shortcut = identity when null).</summary>
public sealed class Residual : Module
{
    /// <summary>The residual branch and optional projection shortcut.</summary>
    public Module Body { get; }
    /// <inheritdoc cref="Body"/>
    public Module? Shortcut { get; }

    /// <summary>Creates the block.</summary>
    public Residual(Module body, Module? shortcut = null)
    {
        Body = Child("body", body);
        if (shortcut is not null) Shortcut = Child("shortcut", shortcut);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.Add(Body.Forward(x), Shortcut is null ? x : Shortcut.Forward(x));
}

/// <summary>Max pooling k×k, stride s (default k). Digital only: it does not map onto Ising couplings.</summary>
public sealed class MaxPool2d(int kernel, int stride = 0) : Module
{
    /// <summary>Window and stride.</summary>
    public int Kernel { get; } = kernel;
    /// <inheritdoc cref="Kernel"/>
    public int Stride { get; } = stride <= 0 ? kernel : stride;
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => F.MaxPool2d(x, Kernel, Stride);
    /// <inheritdoc/>
    public override string Describe() => $"MaxPool2d(k{Kernel}, s{Stride})";
}
