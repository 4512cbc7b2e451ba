using System.Globalization;

namespace Stevedore.HollowNodes;

/// <summary>
/// Addresses a hollow node reports. None of them is reachable or routed: they only make the
/// objects look like a real node's.
/// </summary>
public static class NodeAddressing
{
    /// <summary>The largest node index that still gets distinct addresses.</summary>
    public const int MaxIndex = (245 * 256) - 1;

    /// <summary>
    /// The node's InternalIP in the loopback range: 127.1.X.Y with Y in 1..254,
    /// so index 0 is 127.1.0.1, index 253 is 127.1.0.254 and index 254 is 127.1.1.1.
    /// </summary>
    public static string InternalIp(int index)
    {
        Check(index);
        return string.Create(CultureInfo.InvariantCulture, $"127.1.{index / 254}.{(index % 254) + 1}");
    }

    /// <summary>
    /// The pod range used when the node has no spec.podCIDR: 10.244.i.0/24 for the first 256
    /// nodes, then 10.243.(i-256).0/24 and so on downwards (index i → 10.(244 − i/256).(i mod 256).0/24).
    /// </summary>
    public static string FallbackPodCidr(int index)
    {
        Check(index);
        return string.Create(CultureInfo.InvariantCulture, $"10.{244 - (index / 256)}.{index % 256}.0/24");
    }

    private static void Check(int index)
    {
        if (index < 0 || index > MaxIndex)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"hollow node index must be within 0..{MaxIndex}");
        }
    }
}
