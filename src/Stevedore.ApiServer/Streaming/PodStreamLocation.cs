using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Stevedore.ApiServer.Http;

namespace Stevedore.ApiServer.Streaming;

/// <summary>
/// Where on a kubelet a pod's <c>log</c>, <c>exec</c>, <c>attach</c> or <c>portforward</c> request
/// goes, worked out as upstream's pod registry does: the container defaulted or checked against
/// the spec, the node's preferred address and kubelet port, the options translated to the
/// kubelet's query.
/// </summary>
public static class PodStreamLocation
{
    /// <summary>The container a request names, defaulted when the pod has only one; errors are upstream's 400s.</summary>
    public static string ResolveContainer(JsonObject pod, string? requested, bool forLogs)
    {
        var name = pod["metadata"]?["name"]?.ToString() ?? "";
        var containers = Names(pod, "containers");
        var initContainers = Names(pod, "initContainers");
        var ephemeral = Names(pod, "ephemeralContainers");
        if (string.IsNullOrEmpty(requested))
        {
            switch (containers.Count)
            {
                case 1:
                    return containers[0];
                case 0:
                    throw ApiException.BadRequest($"a container name must be specified for pod {name}");
                default:
                    if (forLogs)
                    {
                        throw ApiException.BadRequest($"a container name must be specified for pod {name}, choose one of: [{string.Join(' ', initContainers.Concat(containers).Concat(ephemeral))}]");
                    }

                    var message = $"a container name must be specified for pod {name}, choose one of: [{string.Join(' ', containers)}]";
                    if (initContainers.Count > 0)
                    {
                        message += $" or one of the init containers: [{string.Join(' ', initContainers)}]";
                    }

                    throw ApiException.BadRequest(message);
            }
        }

        if (!containers.Concat(initContainers).Concat(ephemeral).Contains(requested))
        {
            throw ApiException.BadRequest($"container {requested} is not valid for pod {name}");
        }

        return requested;
    }

    /// <summary>
    /// The kubelet's base address (<c>https://host:port</c>) from the node's addresses (in
    /// <paramref name="preferredTypes"/> order) and <c>status.daemonEndpoints.kubeletEndpoint.Port</c>.
    /// </summary>
    public static Uri KubeletBase(JsonObject node, IReadOnlyList<string> preferredTypes, int defaultPort)
    {
        var addresses = (node["status"]?["addresses"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(a => (Type: a["type"]?.ToString() ?? "", Address: a["address"]?.ToString() ?? ""))
            .Where(a => a.Address.Length > 0)
            .ToList();
        var chosen = preferredTypes.Select(t => addresses.FirstOrDefault(a => a.Type == t).Address).FirstOrDefault(a => !string.IsNullOrEmpty(a));
        if (chosen is null)
        {
            throw ApiException.Internal($"no preferred addresses found; known addresses: [{string.Join(' ', addresses.Select(a => $"{{{a.Type} {a.Address}}}"))}]");
        }

        var port = node["status"]?["daemonEndpoints"]?["kubeletEndpoint"]?["Port"] is JsonValue p && p.TryGetValue<int>(out var reported) && reported > 0 ? reported : defaultPort;
        var host = chosen.Contains(':', StringComparison.Ordinal) ? $"[{chosen}]" : chosen;
        return new Uri($"https://{host}:{port.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>The kubelet path and query of a log request (upstream's <c>LogLocation</c>); the options are checked first.</summary>
    public static string LogPathAndQuery(JsonObject pod, string container, IQueryCollection query)
    {
        var name = pod["metadata"]?["name"]?.ToString() ?? "";
        var parameters = new List<(string, string)>();
        if (Flag(query, "follow"))
        {
            parameters.Add(("follow", "true"));
        }

        if (Flag(query, "previous"))
        {
            parameters.Add(("previous", "true"));
        }

        if (Flag(query, "timestamps"))
        {
            parameters.Add(("timestamps", "true"));
        }

        var causes = new List<StatusCause>();
        var sinceSeconds = Integer(query, "sinceSeconds", causes, minimum: 1, "must be greater than 0");
        var sinceTime = query["sinceTime"].ToString();
        if (sinceSeconds is not null && sinceTime.Length > 0)
        {
            causes.Add(new StatusCause("FieldValueForbidden", "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified", ""));
        }

        if (sinceSeconds is { } seconds)
        {
            parameters.Add(("sinceSeconds", seconds.ToString(CultureInfo.InvariantCulture)));
        }

        if (sinceTime.Length > 0)
        {
            if (DateTimeOffset.TryParse(sinceTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            {
                parameters.Add(("sinceTime", time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
            }
            else
            {
                causes.Add(new StatusCause("FieldValueInvalid", $"Invalid value: \"{sinceTime}\": must be an RFC 3339 time", "sinceTime"));
            }
        }

        if (Integer(query, "tailLines", causes, minimum: 0, "must be greater than or equal to 0") is { } tail)
        {
            parameters.Add(("tailLines", tail.ToString(CultureInfo.InvariantCulture)));
        }

        if (Integer(query, "limitBytes", causes, minimum: 1, "must be greater than 0") is { } limit)
        {
            parameters.Add(("limitBytes", limit.ToString(CultureInfo.InvariantCulture)));
        }

        if (causes.Count > 0)
        {
            throw ApiException.Invalid("PodLogOptions", "PodLogOptions", "", name, causes);
        }

        return $"/containerLogs/{Escape(pod["metadata"]?["namespace"]?.ToString())}/{Escape(name)}/{Escape(container)}{Query(parameters)}";
    }

    /// <summary>The kubelet path and query of an exec or attach request (stream flags as "1", as upstream sends them).</summary>
    public static string RemoteCommandPathAndQuery(string subresource, JsonObject pod, string container, IQueryCollection query)
    {
        var parameters = new List<(string, string)>();
        foreach (var stream in new[] { "stdin", "stdout", "stderr", "tty" })
        {
            if (Flag(query, stream))
            {
                parameters.Add((stream, "1"));
            }
        }

        if (subresource == "exec")
        {
            parameters.AddRange(query["command"].Select(c => ("command", c ?? "")));
        }

        return $"/{subresource}/{Escape(pod["metadata"]?["namespace"]?.ToString())}/{Escape(pod["metadata"]?["name"]?.ToString())}/{Escape(container)}{Query(parameters)}";
    }

    /// <summary>The kubelet path and query of a port-forward request.</summary>
    public static string PortForwardPathAndQuery(JsonObject pod, IQueryCollection query)
    {
        var ports = query["ports"].SelectMany(p => (p ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        var parameters = ports.Count > 0 ? new List<(string, string)> { ("port", string.Join(',', ports)) } : [];
        return $"/portForward/{Escape(pod["metadata"]?["namespace"]?.ToString())}/{Escape(pod["metadata"]?["name"]?.ToString())}{Query(parameters)}";
    }

    /// <summary>The node a pod is bound to; a 400 for the streams when it has none.</summary>
    public static string NodeNameOf(JsonObject pod) => pod["spec"]?["nodeName"]?.ToString() ?? "";

    private static List<string> Names(JsonObject pod, string field) =>
        [.. (pod["spec"]?[field] as JsonArray ?? []).OfType<JsonObject>().Select(c => c["name"]?.ToString() ?? "").Where(n => n.Length > 0)];

    /// <summary>A boolean query value the way Go's strconv.ParseBool reads it.</summary>
    private static bool Flag(IQueryCollection query, string name) =>
        query[name].ToString() is "1" or "t" or "T" or "true" or "TRUE" or "True";

    private static long? Integer(IQueryCollection query, string name, List<StatusCause> causes, long minimum, string rule)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < minimum)
        {
            causes.Add(new StatusCause("FieldValueInvalid", $"Invalid value: {text}: {rule}", name));
            return null;
        }

        return value;
    }

    private static string Escape(string? segment) => Uri.EscapeDataString(segment ?? "");

    private static string Query(List<(string Name, string Value)> parameters) =>
        parameters.Count == 0 ? "" : "?" + string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Name) + "=" + Uri.EscapeDataString(p.Value)));
}
