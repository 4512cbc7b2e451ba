namespace Stevedore.Cri.Streaming.Compression;

/// <summary>The Adler-32 checksum zlib uses (RFC 1950), also the ID of a preset dictionary.</summary>
public static class Adler32
{
    private const uint Modulus = 65521;

    /// <summary>The checksum of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint a = 1, b = 0;
        foreach (var value in data)
        {
            a = (a + value) % Modulus;
            b = (b + a) % Modulus;
        }

        return (b << 16) | a;
    }
}
