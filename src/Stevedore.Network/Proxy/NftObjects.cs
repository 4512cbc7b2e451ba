namespace Stevedore.Network.Proxy;

/// <summary>
/// A chain of the proxy's table: its rules in order, and for base chains the hook declaration
/// (e.g. <c>type nat hook prerouting priority -100 ; policy accept ;</c>).
/// </summary>
public sealed record NftChain(string Name, IReadOnlyList<string> Rules, string? BaseDeclaration = null)
{
    public bool SameAs(NftChain other) => BaseDeclaration == other.BaseDeclaration && Rules.SequenceEqual(other.Rules, StringComparer.Ordinal);
}

/// <summary>
/// A named set or map. <see cref="Elements"/> maps each element key to its value (null for sets);
/// a dynamic set (session affinity's client addresses) has no <see cref="Elements"/>: the kernel fills
/// it, and a sync leaves its contents alone.
/// </summary>
public sealed record NftSet(string Name, bool IsMap, string Declaration, IReadOnlyDictionary<string, string?>? Elements)
{
    public bool IsDynamic => Elements is null;

    public string Keyword => IsMap ? "map" : "set";

    /// <summary>One element as nft writes it: <c>key</c> or <c>key : value</c>.</summary>
    public static string Element(string key, string? value) => value is null ? key : key + " : " + value;
}
