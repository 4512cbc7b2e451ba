using System.Diagnostics;

namespace Stevedore.Network.Proxy;

/// <summary>What one <see cref="ProxyTable.ApplyAsync"/> did.</summary>
/// <param name="Changed">Whether a script ran (false: the table already matched).</param>
/// <param name="Full">Whether the table was replaced whole rather than updated.</param>
/// <param name="Duration">Rendering the script and running <c>nft</c>.</param>
/// <param name="ScriptLines">Lines of the script that ran.</param>
/// <param name="RecoveredFrom">Set when an update failed and a full replace succeeded: the update's error.</param>
public sealed record ProxyApplyResult(bool Changed, bool Full, TimeSpan Duration, int ScriptLines, string? RecoveredFrom = null);

/// <summary>
/// The proxy's nftables table (<c>table ip &lt;name&gt;</c>): brought to a <see cref="ProxyRuleSet"/> with one
/// <c>nft -f -</c> transaction per call — the first time by replacing it whole, afterwards by changing only
/// what differs from the last applied rule set (so session affinity records survive). If an update fails
/// (someone edited the table), the table is replaced whole. Nothing outside this table is touched.
/// </summary>
public sealed class ProxyTable
{
    public ProxyTable(string tableName)
    {
        new ServiceProxyOptions { TableName = tableName }.Validate();
        TableName = tableName;
    }

    public string TableName { get; }

    /// <summary>The rule set the table holds since the last successful apply; null before the first or after removal.</summary>
    public ProxyRuleSet? Applied { get; private set; }

    /// <summary>Brings the table to <paramref name="desired"/>; throws <see cref="NetworkCommandException"/> when even a full replace fails (the table is then as it was).</summary>
    public async Task<ProxyApplyResult> ApplyAsync(ProxyRuleSet desired, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        string? recoveredFrom = null;
        if (Applied is { } current && NftScript.Update(TableName, current, desired) is { } update)
        {
            if (update.Length == 0)
            {
                Applied = desired;
                return new ProxyApplyResult(false, false, watch.Elapsed, 0);
            }

            try
            {
                await HostCommand.RunCheckedAsync("nft", ["-f", "-"], update, cancellationToken);
                Applied = desired;
                return new ProxyApplyResult(true, false, watch.Elapsed, Lines(update));
            }
            catch (NetworkCommandException ex)
            {
                recoveredFrom = ex.Message;
            }
        }

        var full = NftScript.Full(TableName, desired);
        Applied = null;
        await HostCommand.RunCheckedAsync("nft", ["-f", "-"], full, cancellationToken);
        Applied = desired;
        return new ProxyApplyResult(true, true, watch.Elapsed, Lines(full), recoveredFrom);
    }

    /// <summary>Whether the table exists.</summary>
    public Task<bool> IsInstalledAsync(CancellationToken cancellationToken) => IsInstalledAsync(TableName, cancellationToken);

    /// <summary>Deletes the table; nothing happens when it does not exist.</summary>
    public async Task RemoveAsync(CancellationToken cancellationToken)
    {
        Applied = null;
        await RemoveAsync(TableName, cancellationToken);
    }

    /// <summary>Whether <c>table ip <paramref name="tableName"/></c> exists.</summary>
    public static async Task<bool> IsInstalledAsync(string tableName, CancellationToken cancellationToken) =>
        (await HostCommand.RunAsync("nft", ["list", "table", "ip", tableName], null, cancellationToken)).ExitCode == 0;

    /// <summary>Deletes <c>table ip <paramref name="tableName"/></c> if it exists (node cleanup).</summary>
    public static async Task RemoveAsync(string tableName, CancellationToken cancellationToken)
    {
        if (!await IsInstalledAsync(tableName, cancellationToken))
        {
            return;
        }

        var (exitCode, _, stderr) = await HostCommand.RunAsync("nft", ["delete", "table", "ip", tableName], null, cancellationToken);
        if (exitCode != 0 && await IsInstalledAsync(tableName, cancellationToken))
        {
            throw new NetworkCommandException("nft", ["delete", "table", "ip", tableName], exitCode, stderr.Trim());
        }
    }

    private static int Lines(string script) => script.Count(c => c == '\n');
}
