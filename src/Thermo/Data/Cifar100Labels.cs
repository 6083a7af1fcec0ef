namespace Thermo.Data;

/// <summary>Which CIFAR-100 label a dataset uses.</summary>
public enum Cifar100Labels
{
    /// <summary>The 100 fine classes.</summary>
    Fine,
    /// <summary>The 20 coarse superclasses.</summary>
    Coarse,
}
