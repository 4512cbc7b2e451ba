using k8s.Models;

namespace Stevedore.Kubelet.Probes;

/// <summary>An httpGet probe: 200–399 passes (a redirect left unfollowed passes with a warning), anything else fails.</summary>
internal sealed class HttpGetProber(HttpGetClient client)
{
    public async Task<ProbeResult> ProbeAsync(V1HTTPGetAction action, V1Container container, string? podIp, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (HttpGetClient.TargetOf(action, container, podIp, out var error) is not { } target)
        {
            return ProbeResult.Error(error);
        }

        var result = await client.GetAsync(target, action.HttpHeaders, "probe", timeout, cancellationToken);
        return result switch
        {
            { StatusCode: null } => ProbeResult.Failure(result.Error!),
            { Error: not null } => ProbeResult.Error(result.Error),
            { StatusCode: >= 200 and < 300 } => ProbeResult.Success(result.Body),
            { StatusCode: >= 300 and < 400 } => ProbeResult.Warning($"Probe terminated redirects, Response body: {result.Body}"),
            _ => ProbeResult.Failure($"HTTP probe failed with statuscode: {result.StatusCode}"),
        };
    }
}
