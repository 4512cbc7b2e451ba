using System.Collections.Concurrent;
using k8s.Models;

namespace Stevedore.Kubelet.Pods;

/// <summary>
/// The pods this node must run, by UID: pods bound to it in the API (mirror pods excluded) and
/// static pods from the manifests folder. Also indexes mirror pods by namespace/name, which is
/// where static pods' statuses go. Every change is reported through <see cref="Changed"/>.
/// </summary>
internal sealed class PodSource
{
    private readonly ConcurrentDictionary<string, V1Pod> _apiPods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, V1Pod> _staticPods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, V1Pod> _mirrorPods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, V1Pod> _apiByName = new(StringComparer.Ordinal);

    /// <summary>Raised with a pod UID when that pod appeared, changed or went away.</summary>
    public event Action<string>? Changed;

    /// <summary>Raised with a mirror pod's namespace/name when it appeared, changed or went away.</summary>
    public event Action<string>? MirrorChanged;

    /// <summary>The pod to run for <paramref name="uid"/>, or null when none should run.</summary>
    public V1Pod? Get(string uid) =>
        _apiPods.TryGetValue(uid, out var pod) ? pod : _staticPods.TryGetValue(uid, out var staticPod) ? staticPod : null;

    /// <summary>Whether the UID is a static pod of this node.</summary>
    public bool IsStatic(string uid) => _staticPods.ContainsKey(uid);

    /// <summary>Every desired pod's UID.</summary>
    public IEnumerable<string> Uids => _apiPods.Keys.Concat(_staticPods.Keys);

    /// <summary>The static pods.</summary>
    public IEnumerable<V1Pod> StaticPods => _staticPods.Values;

    /// <summary>The mirror pod of namespace/name, or null.</summary>
    public V1Pod? Mirror(string ns, string name) => _mirrorPods.TryGetValue(ns + "/" + name, out var pod) ? pod : null;

    /// <summary>Every mirror pod on this node.</summary>
    public IEnumerable<V1Pod> Mirrors => _mirrorPods.Values;

    /// <summary>The API object a pod's status is written to: the pod itself, or a static pod's mirror.</summary>
    public V1Pod? StatusTarget(V1Pod pod)
    {
        var key = SandboxConfigs.NamespaceOf(pod) + "/" + pod.Metadata.Name;
        if (IsStatic(pod.Metadata.Uid))
        {
            return _mirrorPods.TryGetValue(key, out var mirror) ? mirror : null;
        }

        return _apiByName.TryGetValue(key, out var current) && current.Metadata.Uid == pod.Metadata.Uid ? current : null;
    }

    /// <summary>An API pod was added or updated.</summary>
    public void UpsertApiPod(V1Pod pod)
    {
        var key = SandboxConfigs.NamespaceOf(pod) + "/" + pod.Metadata.Name;
        if (IsMirror(pod))
        {
            _mirrorPods[key] = pod;
            MirrorChanged?.Invoke(key);
            ReportStaticPodOf(key);
            return;
        }

        _apiByName[key] = pod;
        _apiPods[pod.Metadata.Uid] = pod;
        Changed?.Invoke(pod.Metadata.Uid);
    }

    /// <summary>An API pod was deleted.</summary>
    public void RemoveApiPod(V1Pod pod)
    {
        var key = SandboxConfigs.NamespaceOf(pod) + "/" + pod.Metadata.Name;
        if (IsMirror(pod))
        {
            if (_mirrorPods.TryGetValue(key, out var known) && known.Metadata.Uid == pod.Metadata.Uid)
            {
                _mirrorPods.TryRemove(key, out _);
            }

            MirrorChanged?.Invoke(key);
            ReportStaticPodOf(key);
            return;
        }

        if (_apiByName.TryGetValue(key, out var current) && current.Metadata.Uid == pod.Metadata.Uid)
        {
            _apiByName.TryRemove(key, out _);
        }

        _apiPods.TryRemove(pod.Metadata.Uid, out _);
        Changed?.Invoke(pod.Metadata.Uid);
    }

    /// <summary>Replaces the set of static pods; reports the ones that appeared, changed or went away.</summary>
    public void SetStaticPods(IReadOnlyList<V1Pod> pods)
    {
        var next = pods.ToDictionary(p => p.Metadata.Uid, StringComparer.Ordinal);
        foreach (var uid in _staticPods.Keys.Where(uid => !next.ContainsKey(uid)).ToList())
        {
            _staticPods.TryRemove(uid, out _);
            Changed?.Invoke(uid);
        }

        foreach (var (uid, pod) in next)
        {
            if (_staticPods.TryAdd(uid, pod))
            {
                Changed?.Invoke(uid);
            }
        }
    }

    /// <summary>A mirror changed: its static pod's status may need writing there.</summary>
    private void ReportStaticPodOf(string key)
    {
        foreach (var pod in _staticPods.Values.Where(p => SandboxConfigs.NamespaceOf(p) + "/" + p.Metadata.Name == key))
        {
            Changed?.Invoke(pod.Metadata.Uid);
        }
    }

    /// <summary>Whether a pod in the API is the mirror of a static pod.</summary>
    public static bool IsMirror(V1Pod pod) => pod.Metadata?.Annotations?.ContainsKey(CriLabels.ConfigMirror) == true;
}
