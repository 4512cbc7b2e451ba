using System.Text;
using Microsoft.Extensions.Logging;
using Stevedore.Cri.V1;
using Stevedore.Kubelet.Cri;

namespace Stevedore.Kubelet.Pods;

/// <summary>
/// The pod lifecycle event generator: relists every sandbox and container of the runtime each
/// interval and tells which pods changed (a container started, exited or vanished, a sandbox
/// stopped), so pod workers learn the runtime's actual state instead of assuming it.
/// Only objects carrying the pod UID label (created by a kubelet) are considered.
/// </summary>
internal sealed partial class Pleg(CriConnection cri, ILogger logger)
{
    private Dictionary<string, string> _fingerprints = new(StringComparer.Ordinal);

    /// <summary>The UIDs of every pod the runtime held at the last relist.</summary>
    public IReadOnlyCollection<string> KnownPods => _fingerprints.Keys;

    /// <summary>Lists the runtime once; returns the UIDs of pods that changed since the previous relist (all on the first).</summary>
    public async Task<IReadOnlyList<string>> RelistAsync(CancellationToken cancellationToken)
    {
        var sandboxes = cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), cancellationToken: cancellationToken).ResponseAsync;
        var containers = cri.Runtime.ListContainersAsync(new ListContainersRequest(), cancellationToken: cancellationToken).ResponseAsync;
        var parts = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var sandbox in (await sandboxes.ConfigureAwait(false)).Items)
        {
            if (sandbox.Labels.TryGetValue(CriLabels.PodUid, out var uid))
            {
                Part(parts, uid).Add("s" + sandbox.Id + ":" + (int)sandbox.State);
            }
        }

        foreach (var container in (await containers.ConfigureAwait(false)).Containers)
        {
            if (container.Labels.TryGetValue(CriLabels.PodUid, out var uid))
            {
                Part(parts, uid).Add("c" + container.Id + ":" + (int)container.State);
            }
        }

        var next = new Dictionary<string, string>(parts.Count, StringComparer.Ordinal);
        foreach (var (uid, list) in parts)
        {
            list.Sort(StringComparer.Ordinal);
            next[uid] = string.Join(',', list);
        }

        var changed = new List<string>();
        foreach (var (uid, fingerprint) in next)
        {
            if (!_fingerprints.TryGetValue(uid, out var previous) || previous != fingerprint)
            {
                changed.Add(uid);
            }
        }

        changed.AddRange(_fingerprints.Keys.Where(uid => !next.ContainsKey(uid)));
        _fingerprints = next;
        if (changed.Count > 0)
        {
            LogChanged(logger, changed.Count, Describe(changed));
        }

        return changed;
    }

    private static List<string> Part(Dictionary<string, List<string>> parts, string uid)
    {
        if (!parts.TryGetValue(uid, out var list))
        {
            parts[uid] = list = [];
        }

        return list;
    }

    private static string Describe(List<string> uids)
    {
        var text = new StringBuilder();
        foreach (var uid in uids.Take(5))
        {
            text.Append(text.Length == 0 ? "" : " ").Append(uid);
        }

        return uids.Count > 5 ? text.Append(" …").ToString() : text.ToString();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Runtime relist: {Count} pod(s) changed: {Uids}")]
    private static partial void LogChanged(ILogger logger, int count, string uids);
}
