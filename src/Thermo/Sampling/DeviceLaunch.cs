namespace Thermo.Sampling;

/// <summary>
/// The scalars of one device-sampler kernel launch: the batch occupies items [FirstItem, FirstItem + Items) of
/// the request's (input, chain) grid, item = slot·Chains + chain, input = FirstInput + slot; spin i of batch
/// chain c lives at state[i·Items + c].
/// </summary>
internal struct DeviceLaunch
{
    public int Items;
    public int FirstItem;
    public int Chains;
    public int FirstSlot;
    public long FirstInput;
    public int InputWidth;
    public ulong Seed;
    public int Sweep;
    public float Beta;
    /// <summary>First entry of the colour (sweep kernel) or of the observed spins (accumulate kernel).</summary>
    public int ListStart;
}
