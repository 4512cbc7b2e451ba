namespace Stevedore.Scheduler.Framework;

/// <summary>
/// Host ports in use on a node, by host IP. 0.0.0.0 (the default) conflicts with every IP for
/// the same protocol and port.
/// </summary>
public sealed class HostPortInfo
{
    public const string AnyIp = "0.0.0.0";

    private readonly Dictionary<string, Dictionary<(string Protocol, int Port), int>> _byIp = new(StringComparer.Ordinal);

    public int Count => _byIp.Values.Sum(s => s.Count);

    public static string NormalizeIp(string? ip) => string.IsNullOrEmpty(ip) ? AnyIp : ip;

    public static string NormalizeProtocol(string? protocol) => string.IsNullOrEmpty(protocol) ? "TCP" : protocol;

    public void Add(string? ip, string? protocol, int port) => Change(ip, protocol, port, +1);

    public void Remove(string? ip, string? protocol, int port) => Change(ip, protocol, port, -1);

    /// <summary>True when a pod asking for (ip, protocol, port) would collide with a port in use.</summary>
    public bool Conflicts(string? ip, string? protocol, int port)
    {
        var key = (NormalizeProtocol(protocol), port);
        var nip = NormalizeIp(ip);
        if (nip == AnyIp)
        {
            return _byIp.Values.Any(set => set.ContainsKey(key));
        }

        return (_byIp.TryGetValue(nip, out var own) && own.ContainsKey(key))
            || (_byIp.TryGetValue(AnyIp, out var any) && any.ContainsKey(key));
    }

    public HostPortInfo Clone()
    {
        var c = new HostPortInfo();
        foreach (var (ip, set) in _byIp)
        {
            c._byIp[ip] = new Dictionary<(string, int), int>(set);
        }

        return c;
    }

    private void Change(string? ip, string? protocol, int port, int delta)
    {
        if (port <= 0)
        {
            return;
        }

        var nip = NormalizeIp(ip);
        if (!_byIp.TryGetValue(nip, out var set))
        {
            set = [];
            _byIp[nip] = set;
        }

        var key = (NormalizeProtocol(protocol), port);
        var n = set.GetValueOrDefault(key) + delta;
        if (n <= 0)
        {
            set.Remove(key);
            if (set.Count == 0)
            {
                _byIp.Remove(nip);
            }
        }
        else
        {
            set[key] = n;
        }
    }
}
