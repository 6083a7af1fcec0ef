using System.Runtime.Intrinsics;
using Thermo.Randomness;

namespace Thermo.Tests.Randomness;

public class PhiloxVectorTests
{
    [Fact]
    public void Block16_equals_sixteen_scalar_blocks()
    {
        if (!PhiloxVector.IsAccelerated) return;
        var c0 = Vector512.Create(0u, 1, 2, 0xFFFFFFFF, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0x243f6a88, 15);
        var c1 = Vector512.Create(3u) + c0;
        var c2 = Vector512.Create(0x13198a2eu) ^ c0;
        var c3 = Vector512.Create(0x03707344u) * c0;
        var (x0, x1, x2, x3) = PhiloxVector.Block16(c0, c1, c2, c3, 0xa4093822, 0x299f31d0);
        for (int l = 0; l < 16; l++)
        {
            var e = Philox.Block(c0[l], c1[l], c2[l], c3[l], 0xa4093822, 0x299f31d0);
            Assert.Equal(e, (x0[l], x1[l], x2[l], x3[l]));
        }
    }

    [Theory]
    [InlineData(0UL, 0, 200)]
    [InlineData(7UL, 3, 131)]
    [InlineData(11UL, 1, 64)]
    [InlineData(5UL, 0xFFFFFFFFUL * 4 - 20, 300)] // block counter crosses 2^32 inside a vector
    public void FillWords_matches_scalar_addressing_for_any_offset(ulong seed, ulong first, int length)
    {
        ulong stream = Philox.Stream(seed, 42);
        var words = new uint[length];
        PhiloxVector.FillWords(seed, stream, first, words);
        for (int i = 0; i < length; i++)
        {
            Assert.Equal(PhiloxVector.Word(seed, stream, first + (ulong)i), words[i]);
            Assert.Equal(Philox.Uniform(seed, stream, first + (ulong)i), Philox.ToUniform(words[i]));
        }
    }
}
