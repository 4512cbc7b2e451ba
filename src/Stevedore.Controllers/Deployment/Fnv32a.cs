namespace Stevedore.Controllers.Deployment;

/// <summary>32-bit FNV-1a, the hash upstream uses for pod-template-hash.</summary>
internal static class Fnv32a
{
    public const uint Offset = 2166136261;
    private const uint Prime = 16777619;

    public static uint Add(uint hash, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            hash ^= b;
            hash = unchecked(hash * Prime);
        }

        return hash;
    }
}
