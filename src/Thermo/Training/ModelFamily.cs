namespace Thermo.Training;

/// <summary>What kind of network a model definition builds (its "family" in the definition file).</summary>
public enum ModelFamily
{
    /// <summary>"digital": an ordinary layer list, evaluated by a forward pass.</summary>
    Digital,
    /// <summary>"ising-blocks": a thermodynamic network of Ising blocks, run by Gibbs sampling.</summary>
    IsingBlocks,
}
