using Thermo.Ising;
using Thermo.Sampling;

namespace Thermo.Tests.Sampling;

public unsafe class SpinKernelTests
{
    [Theory]
    [InlineData(1, 28, 28)]
    [InlineData(32, 14, 14)]
    [InlineData(64, 7, 7)]
    [InlineData(17, 5, 7)]
    [InlineData(10, 1, 1)]
    [InlineData(48, 4, 8)]
    public void ChannelsLast_moves_every_canonical_word_to_its_channel_last_slot(int c, int h, int w)
    {
        var lay = new LayerLayout(new SpinLayer("l", [c, h, w]), 0, 0);
        var canonical = Enumerable.Range(0, c * h * w).Select(i => (uint)i * 2654435761u).ToArray();
        var last = new uint[lay.Cp * h * w];
        fixed (uint* a = canonical, b = last) ChannelsLastTranspose.Apply(lay, a, b);
        for (int ch = 0; ch < c; ch++)
            for (int p = 0; p < h * w; p++)
                Assert.Equal(canonical[ch * h * w + p], last[p * lay.Cp + ch]);
    }
}
