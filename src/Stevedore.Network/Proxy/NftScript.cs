using System.Text;

namespace Stevedore.Network.Proxy;

/// <summary>
/// Writes <c>nft -f</c> scripts for a <see cref="ProxyRuleSet"/> in table <c>ip &lt;table&gt;</c>. A script
/// is one transaction: the kernel applies all of it or nothing, and packets see either the old rules or
/// the new ones, never a mix.
/// </summary>
public static class NftScript
{
    /// <summary>
    /// Replaces the table with <paramref name="rules"/> whether or not it exists (add, delete, define).
    /// Session affinity records are lost; used for the first sync and to recover from a failed update.
    /// </summary>
    public static string Full(string table, ProxyRuleSet rules)
    {
        var script = new StringBuilder();
        script.Append("add table ip ").Append(table).Append('\n');
        script.Append("delete table ip ").Append(table).Append('\n');
        script.Append("add table ip ").Append(table).Append('\n');
        foreach (var set in rules.Sets)
        {
            AddSet(script, table, set);
        }

        foreach (var chain in rules.Chains)
        {
            AddChain(script, table, chain);
        }

        foreach (var set in rules.Sets.Where(s => !s.IsDynamic && s.Elements!.Count > 0))
        {
            Elements(script, "add", table, set.Name, set.Elements!.Select(e => NftSet.Element(e.Key, e.Value)));
        }

        foreach (var chain in rules.Chains)
        {
            AddRules(script, table, chain);
        }

        return script.ToString();
    }

    /// <summary>
    /// Changes the table from <paramref name="current"/> (what the last script installed) to
    /// <paramref name="desired"/>, touching only what differs: new sets and chains are added, changed chains
    /// flushed and refilled, set and map elements added and deleted one by one, chains and sets nobody
    /// needs any more flushed and deleted last (once nothing refers to them). Session affinity sets that
    /// stay keep their clients. Null when the change needs a <see cref="Full"/> script (a base chain or a
    /// set's type changed); empty when nothing changed.
    /// </summary>
    public static string? Update(string table, ProxyRuleSet current, ProxyRuleSet desired)
    {
        foreach (var set in desired.Sets)
        {
            if (current.Set(set.Name) is { } old && (old.Declaration != set.Declaration || old.IsMap != set.IsMap))
            {
                return null;
            }
        }

        foreach (var chain in desired.Chains)
        {
            if (current.Chain(chain.Name) is { } old && old.BaseDeclaration != chain.BaseDeclaration)
            {
                return null;
            }
        }

        var script = new StringBuilder();
        foreach (var set in desired.Sets.Where(s => current.Set(s.Name) is null))
        {
            AddSet(script, table, set);
        }

        foreach (var chain in desired.Chains.Where(c => current.Chain(c.Name) is null))
        {
            AddChain(script, table, chain);
        }

        // Element removals first: a map element may be the last reference to a chain deleted below.
        var additions = new List<(NftSet Set, List<string> Elements)>();
        foreach (var set in desired.Sets.Where(s => !s.IsDynamic))
        {
            var old = current.Set(set.Name)?.Elements ?? new Dictionary<string, string?>();
            var removed = old.Where(e => !set.Elements!.TryGetValue(e.Key, out var value) || value != e.Value).Select(e => e.Key).ToList();
            var added = set.Elements!.Where(e => !old.TryGetValue(e.Key, out var value) || value != e.Value).Select(e => NftSet.Element(e.Key, e.Value)).ToList();
            if (removed.Count > 0)
            {
                Elements(script, "delete", table, set.Name, removed);
            }

            if (added.Count > 0)
            {
                additions.Add((set, added));
            }
        }

        foreach (var chain in desired.Chains)
        {
            var old = current.Chain(chain.Name);
            if (old is not null && old.SameAs(chain))
            {
                continue;
            }

            if (old is not null)
            {
                script.Append("flush chain ip ").Append(table).Append(' ').Append(chain.Name).Append('\n');
            }

            AddRules(script, table, chain);
        }

        foreach (var (set, elements) in additions)
        {
            Elements(script, "add", table, set.Name, elements);
        }

        var staleChains = current.Chains.Where(c => desired.Chain(c.Name) is null).ToList();
        foreach (var chain in staleChains)
        {
            script.Append("flush chain ip ").Append(table).Append(' ').Append(chain.Name).Append('\n');
        }

        foreach (var chain in staleChains)
        {
            script.Append("delete chain ip ").Append(table).Append(' ').Append(chain.Name).Append('\n');
        }

        foreach (var set in current.Sets.Where(s => desired.Set(s.Name) is null))
        {
            script.Append("delete ").Append(set.Keyword).Append(" ip ").Append(table).Append(' ').Append(set.Name).Append('\n');
        }

        return script.ToString();
    }

    private static void AddSet(StringBuilder script, string table, NftSet set) =>
        script.Append("add ").Append(set.Keyword).Append(" ip ").Append(table).Append(' ').Append(set.Name).Append(' ').Append(set.Declaration).Append('\n');

    private static void AddChain(StringBuilder script, string table, NftChain chain)
    {
        script.Append("add chain ip ").Append(table).Append(' ').Append(chain.Name);
        if (chain.BaseDeclaration is not null)
        {
            script.Append(" { ").Append(chain.BaseDeclaration).Append(" }");
        }

        script.Append('\n');
    }

    private static void AddRules(StringBuilder script, string table, NftChain chain)
    {
        foreach (var rule in chain.Rules)
        {
            script.Append("add rule ip ").Append(table).Append(' ').Append(chain.Name).Append(' ').Append(rule).Append('\n');
        }
    }

    /// <summary><c>add|delete element</c> lines, at most 1,000 elements each so no line grows without bound.</summary>
    private static void Elements(StringBuilder script, string verb, string table, string set, IEnumerable<string> elements)
    {
        foreach (var chunk in elements.Chunk(1000))
        {
            script.Append(verb).Append(" element ip ").Append(table).Append(' ').Append(set).Append(" { ").AppendJoin(", ", chunk).Append(" }\n");
        }
    }
}
