namespace Thermo.Sampling;

/// <summary>
/// The scalars of one device-sampler kernel launch: the batch occupies items [FirstItem, FirstItem + Items) of
/// the request's (input, chain) grid, item = slot·Chains + chain, input = FirstInput + slot; spin i of batch
/// chain c lives at state[i·Stride + c], Stride = Items rounded up to a multiple of 4 so that one 32-bit word
/// holds four chains of one spin.
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
    /// <summary>Chain stride of the state (a multiple of 4, at least Items).</summary>
    public int Stride;
    /// <summary>Tiled sweep: threads along chains and along rows per block, first tile of the launch.</summary>
    public int Lanes;
    public int ThreadRows;
    public int FirstTile;
    public int TileK;
}
