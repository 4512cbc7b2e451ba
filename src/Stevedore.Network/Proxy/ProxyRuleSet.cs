namespace Stevedore.Network.Proxy;

/// <summary>
/// The whole content of the proxy's nftables table as the renderer wants it: sets, maps and chains
/// by name (kept in the order they were made, so scripts are deterministic), plus what had to be left
/// out and why. <see cref="NftScript"/> turns one into a script, or two into the difference.
/// </summary>
public sealed class ProxyRuleSet
{
    private readonly Dictionary<string, NftChain> _chains = new(StringComparer.Ordinal);
    private readonly List<NftChain> _chainOrder = [];
    private readonly Dictionary<string, NftSet> _sets = new(StringComparer.Ordinal);
    private readonly List<NftSet> _setOrder = [];
    private readonly List<string> _problems = [];

    public IReadOnlyList<NftChain> Chains => _chainOrder;

    public IReadOnlyList<NftSet> Sets => _setOrder;

    /// <summary>Services or ports left out (a clash with another Service, an unusable value), one line each.</summary>
    public IReadOnlyList<string> Problems => _problems;

    public int RuleCount => _chainOrder.Sum(c => c.Rules.Count);

    public NftChain? Chain(string name) => _chains.GetValueOrDefault(name);

    public NftSet? Set(string name) => _sets.GetValueOrDefault(name);

    internal void Add(NftChain chain)
    {
        if (!_chains.TryAdd(chain.Name, chain))
        {
            throw new InvalidOperationException($"chain {chain.Name} rendered twice");
        }

        _chainOrder.Add(chain);
    }

    internal void Add(NftSet set)
    {
        if (!_sets.TryAdd(set.Name, set))
        {
            throw new InvalidOperationException($"set {set.Name} rendered twice");
        }

        _setOrder.Add(set);
    }

    internal void Problem(string problem) => _problems.Add(problem);
}
