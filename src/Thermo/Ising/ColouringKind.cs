namespace Thermo.Ising;

/// <summary>How the free spins were split into independent blocks.</summary>
public enum ColouringKind
{
    /// <summary>
    /// Whole layers: the layer graph is bipartite, so one colour holds every other layer (the one with the
    /// lowest free layer first) — the red-black sweep of a layered network.
    /// </summary>
    LayerParity,
    /// <summary>Per spin, by the greedy DSATUR heuristic on the coupling graph.</summary>
    Greedy,
}
