using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Streaming;

namespace Stevedore.ApiServer.Http;

/// <summary>
/// pods/log, pods/exec, pods/attach and pods/portforward: the pod's node is looked up and the request
/// proxied to its kubelet (a streamed body for logs, an upgraded connection for the rest).
/// </summary>
public sealed partial class ApiHandler
{
    private async Task PodLogAsync(HttpContext context, ApiResource resource, RequestInfo info, CancellationToken ct)
    {
        var pod = await _registry.GetAsync(resource, info.Namespace, info.Name!, ct);
        var container = PodStreamLocation.ResolveContainer(pod, context.Request.Query["container"].ToString(), forLogs: true);
        var pathAndQuery = PodStreamLocation.LogPathAndQuery(pod, container, context.Request.Query);
        var nodeName = PodStreamLocation.NodeNameOf(pod);
        if (nodeName.Length == 0)
        {
            // Not scheduled yet: no log, as upstream answers with an empty stream.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/plain";
            return;
        }

        var location = new Uri(await KubeletBaseAsync(nodeName, ct), pathAndQuery);
        await Kubelets.StreamLogAsync(context, location, IsTrue(context.Request.Query["insecureSkipTLSVerifyBackend"]), info.Name!, ct);
    }

    private async Task PodStreamAsync(HttpContext context, ApiResource resource, RequestInfo info, CancellationToken ct)
    {
        var pod = await _registry.GetAsync(resource, info.Namespace, info.Name!, ct);
        var query = context.Request.Query;
        var pathAndQuery = info.Subresource == "portforward"
            ? PodStreamLocation.PortForwardPathAndQuery(pod, query)
            : PodStreamLocation.RemoteCommandPathAndQuery(info.Subresource!, pod, PodStreamLocation.ResolveContainer(pod, query["container"].ToString(), forLogs: false), query);
        var nodeName = PodStreamLocation.NodeNameOf(pod);
        if (nodeName.Length == 0)
        {
            throw ApiException.BadRequest($"pod {info.Name} does not have a host assigned");
        }

        var location = new Uri(await KubeletBaseAsync(nodeName, ct), pathAndQuery);
        await Kubelets.RelayUpgradeAsync(context, location, ct);
    }

    private async Task<Uri> KubeletBaseAsync(string nodeName, CancellationToken ct)
    {
        var nodes = _catalog.Find("", "v1", "nodes")!;
        JsonObject node = await _registry.GetAsync(nodes, null, nodeName, ct);
        return PodStreamLocation.KubeletBase(node, Kubelets.Options.PreferredAddressTypes, Kubelets.Options.DefaultPort);
    }
}
