using CsCheck;

namespace Thermo.Tests.IO;

/// <summary>Generators that corrupt valid files the ways disks, networks and people do.</summary>
public static class HostileFiles
{
    public enum Damage { Truncate, FlipBits, OversizeHeaderLength, SmashHeaderByte }

    /// <summary>Applies <paramref name="damage"/> to a copy of <paramref name="valid"/>; <paramref name="a"/>, <paramref name="b"/>, <paramref name="claimed"/> pick where and how.</summary>
    public static byte[] Corrupt(byte[] valid, Damage damage, int a, int b, ulong claimed)
    {
        var bytes = (byte[])valid.Clone();
        switch (damage)
        {
            case Damage.Truncate:
                return bytes[..(a % bytes.Length)];
            case Damage.FlipBits:
                for (int k = 0; k <= b % 4; k++)
                {
                    int bit = (int)(((long)a * (k + 7919)) % (bytes.Length * 8L));
                    bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                }
                return bytes;
            case Damage.OversizeHeaderLength:
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimed);
                return bytes;
            default:
                // Replace one header byte with a JSON-significant character.
                const string specials = "{}[]\",:0-9e. \\\u00ff";
                int headerEnd = Math.Min(bytes.Length, 8 + (int)Math.Min(System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes), int.MaxValue - 8));
                if (headerEnd <= 8) return bytes;
                bytes[8 + a % (headerEnd - 8)] = (byte)specials[b % specials.Length];
                return bytes;
        }
    }

    public static readonly Gen<Damage> DamageGen = Gen.Enum<Damage>();

    /// <summary>A claimed header length: small, near the limit, or absurd.</summary>
    public static readonly Gen<ulong> ClaimedLength = Gen.OneOf(
        Gen.ULong[0, 4096], Gen.ULong[99_000_000, 101_000_000], Gen.ULong[1_000_000_000_000, ulong.MaxValue]);
}
