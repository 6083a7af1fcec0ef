namespace Thermo.Data;

/// <summary>What a catalogued dataset is: shape, classes, size, where it comes from and how to normalise it.</summary>
public sealed record DatasetInfo(
    string Name,
    string Title,
    string Description,
    string Origin,
    int Channels,
    int Height,
    int Width,
    int TrainCount,
    int TestCount,
    IReadOnlyList<string> ClassNames,
    Normalization Normalization);
