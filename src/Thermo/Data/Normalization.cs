namespace Thermo.Data;

/// <summary>
/// Per-channel affine normalisation x_c = (v/255 − Mean_c) / Std_c applied to every pixel byte v of channel c.
/// The presets are the training-set statistics (population std of v/255) measured by <c>thermo data info</c>.
/// </summary>
public sealed record Normalization(float[] Mean, float[] Std)
{
    /// <summary>Scaling to [0, 1] only.</summary>
    public static Normalization UnitRange { get; } = new([0f], [1f]);
    /// <summary>MNIST train: mean 0.1307, std 0.3081.</summary>
    public static Normalization Mnist { get; } = new([0.1307f], [0.3081f]);
    /// <summary>Fashion-MNIST train: mean 0.2860, std 0.3530.</summary>
    public static Normalization FashionMnist { get; } = new([0.2860f], [0.3530f]);
    /// <summary>CIFAR-10 train, original binary batches: mean (0.4914, 0.4822, 0.4465), std (0.2470, 0.2435, 0.2616).</summary>
    public static Normalization Cifar10 { get; } = new([0.4914f, 0.4822f, 0.4465f], [0.2470f, 0.2435f, 0.2616f]);
    /// <summary>CIFAR-10 train as the JPEG archive decodes it: mean (0.4915, 0.4818, 0.4469), std (0.2452, 0.2428, 0.2606).</summary>
    public static Normalization Cifar10Jpeg { get; } = new([0.4915f, 0.4818f, 0.4469f], [0.2452f, 0.2428f, 0.2606f]);
    /// <summary>CIFAR-100 train: mean (0.5071, 0.4865, 0.4409), std (0.2673, 0.2564, 0.2762).</summary>
    public static Normalization Cifar100 { get; } = new([0.5071f, 0.4865f, 0.4409f], [0.2673f, 0.2564f, 0.2762f]);

    /// <summary>Mean and std of channel <paramref name="c"/>; a one-channel normalisation applies to every channel.</summary>
    public (float Mean, float Std) For(int c) => Mean.Length == 1 ? (Mean[0], Std[0]) : (Mean[c], Std[c]);

    /// <summary>Throws unless the normalisation fits <paramref name="channels"/> channels with positive finite stds.</summary>
    public void Validate(int channels)
    {
        if (Mean.Length != Std.Length || (Mean.Length != 1 && Mean.Length != channels))
            throw new ArgumentException($"normalisation has {Mean.Length} means and {Std.Length} stds; expected 1 or {channels} of each");
        foreach (var s in Std)
            if (!(s > 0) || !float.IsFinite(s)) throw new ArgumentException($"normalisation std {s} must be positive and finite");
        foreach (var m in Mean)
            if (!float.IsFinite(m)) throw new ArgumentException($"normalisation mean {m} must be finite");
    }
}
