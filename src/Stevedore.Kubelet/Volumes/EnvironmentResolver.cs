using System.Text;
using System.Text.RegularExpressions;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Cri.V1;

namespace Stevedore.Kubelet.Volumes;

/// <summary>
/// A container's environment as upstream's kubelet builds it: Service variables first (for expansion
/// and as defaults), then envFrom sources in order (keys prefixed, keys that are no valid variable
/// name skipped with a warning), then env entries in order, where a literal value expands <c>$(VAR)</c>
/// against what is defined so far. A later definition replaces an earlier one in place.
/// </summary>
/// <remarks>status.podIP/hostIP come from <c>pod.Status</c>: pass the pod with the sandbox's IPs filled in.</remarks>
public sealed partial class EnvironmentResolver(IPodSources sources, NodeAllocatable node, ILogger logger) : IEnvironmentResolver
{
    public async Task<IReadOnlyList<KeyValue>> ResolveAsync(V1Pod pod, V1Container container, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        try
        {
            return await BuildAsync(pod, container, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The API could not be asked: as upstream, the container waits in CreateContainerConfigError and is retried.
            throw ConfigError(ApiErrorMessage.Of(ex));
        }
    }

    private async Task<IReadOnlyList<KeyValue>> BuildAsync(V1Pod pod, V1Container container, CancellationToken cancellationToken)
    {
        var ns = pod.Metadata?.NamespaceProperty ?? "default";
        var lookups = new SourceCache(sources, ns);

        var serviceVariables = await ServiceVariablesAsync(pod, ns, cancellationToken).ConfigureAwait(false);
        var defined = new OrderedDictionary<string, string>(StringComparer.Ordinal);

        foreach (var source in container.EnvFrom ?? [])
        {
            var invalid = new List<string>();
            string kind, name;
            IEnumerable<KeyValuePair<string, string>> entries;
            if (source.ConfigMapRef is { } configMapRef)
            {
                (kind, name) = ("configMap", configMapRef.Name);
                var configMap = await lookups.ConfigMapAsync(configMapRef.Name, cancellationToken).ConfigureAwait(false);
                if (configMap is null)
                {
                    if (configMapRef.Optional == true)
                    {
                        continue;
                    }

                    throw ConfigError($"configmap \"{configMapRef.Name}\" not found");
                }

                entries = configMap.Data ?? new Dictionary<string, string>();
            }
            else if (source.SecretRef is { } secretRef)
            {
                (kind, name) = ("secret", secretRef.Name);
                var secret = await lookups.SecretAsync(secretRef.Name, cancellationToken).ConfigureAwait(false);
                if (secret is null)
                {
                    if (secretRef.Optional == true)
                    {
                        continue;
                    }

                    throw ConfigError($"secret \"{secretRef.Name}\" not found");
                }

                entries = (secret.Data ?? new Dictionary<string, byte[]>()).Select(kv => KeyValuePair.Create(kv.Key, Encoding.UTF8.GetString(kv.Value ?? [])));
            }
            else
            {
                continue;
            }

            foreach (var (key, value) in entries.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                var variable = (source.Prefix ?? "") + key;
                if (!IsValidName(variable))
                {
                    invalid.Add(variable);
                    continue;
                }

                defined[variable] = value;
            }

            if (invalid.Count > 0)
            {
                LogInvalidKeys(pod.Metadata?.NamespaceProperty, pod.Metadata?.Name, string.Join(", ", invalid), kind, ns, name);
            }
        }

        foreach (var variable in container.Env ?? [])
        {
            var value = await ValueOfAsync(pod, container, variable, defined, serviceVariables, lookups, cancellationToken).ConfigureAwait(false);
            if (value is not null)
            {
                defined[variable.Name] = value;
            }
        }

        var result = new List<KeyValue>(defined.Count + serviceVariables.Count);
        result.AddRange(defined.Select(kv => new KeyValue { Key = kv.Key, Value = kv.Value }));
        result.AddRange(serviceVariables.Where(kv => !defined.ContainsKey(kv.Key)).Select(kv => new KeyValue { Key = kv.Key, Value = kv.Value }));
        return result;
    }

    /// <summary>Upstream's variable-name rule for envFrom keys: <c>[-._a-zA-Z][-._a-zA-Z0-9]*</c>.</summary>
    public static bool IsValidName(string name) => ValidName().IsMatch(name);

    /// <summary>The value of one env entry, or null when an optional source is missing (the variable is then not set).</summary>
    private async Task<string?> ValueOfAsync(V1Pod pod, V1Container container, V1EnvVar variable, OrderedDictionary<string, string> defined,
        OrderedDictionary<string, string> serviceVariables, SourceCache lookups, CancellationToken cancellationToken)
    {
        if (variable.ValueFrom is not { } from)
        {
            return VariableExpansion.Expand(variable.Value ?? "", name =>
                defined.TryGetValue(name, out var v) ? v : serviceVariables.TryGetValue(name, out var s) ? s : null);
        }

        if (from.FieldRef is { } fieldRef)
        {
            try
            {
                return DownwardApi.FieldValue(pod, fieldRef.FieldPath);
            }
            catch (ArgumentException ex)
            {
                throw ConfigError(ex.Message);
            }
        }

        if (from.ResourceFieldRef is { } resourceRef)
        {
            var target = string.IsNullOrEmpty(resourceRef.ContainerName) ? container : FindContainer(pod, resourceRef.ContainerName)
                ?? throw ConfigError($"container {resourceRef.ContainerName} not found");
            var allocatable = await node.GetAsync(pod.Spec?.NodeName, cancellationToken).ConfigureAwait(false);
            try
            {
                return DownwardApi.ResourceValue(resourceRef, target, allocatable);
            }
            catch (ArgumentException ex)
            {
                throw ConfigError(ex.Message);
            }
        }

        var ns = pod.Metadata?.NamespaceProperty ?? "default";
        if (from.ConfigMapKeyRef is { } configMapKey)
        {
            var optional = configMapKey.Optional == true;
            var configMap = await lookups.ConfigMapAsync(configMapKey.Name, cancellationToken).ConfigureAwait(false);
            if (configMap is null)
            {
                return optional ? null : throw ConfigError($"configmap \"{configMapKey.Name}\" not found");
            }

            if (configMap.Data?.TryGetValue(configMapKey.Key, out var value) == true)
            {
                return value;
            }

            return optional ? null : throw ConfigError($"couldn't find key {configMapKey.Key} in ConfigMap {ns}/{configMapKey.Name}");
        }

        if (from.SecretKeyRef is { } secretKey)
        {
            var optional = secretKey.Optional == true;
            var secret = await lookups.SecretAsync(secretKey.Name, cancellationToken).ConfigureAwait(false);
            if (secret is null)
            {
                return optional ? null : throw ConfigError($"secret \"{secretKey.Name}\" not found");
            }

            if (secret.Data?.TryGetValue(secretKey.Key, out var bytes) == true)
            {
                return Encoding.UTF8.GetString(bytes ?? []);
            }

            return optional ? null : throw ConfigError($"couldn't find key {secretKey.Key} in Secret {ns}/{secretKey.Name}");
        }

        return "";
    }

    private async Task<OrderedDictionary<string, string>> ServiceVariablesAsync(V1Pod pod, string ns, CancellationToken cancellationToken)
    {
        var links = pod.Spec?.EnableServiceLinks != false;
        IReadOnlyList<V1Service> own = links ? await sources.ListServicesAsync(ns, cancellationToken).ConfigureAwait(false) : [];
        IReadOnlyList<V1Service> defaults = ns == "default" && links ? own : await sources.ListServicesAsync("default", cancellationToken).ConfigureAwait(false);
        var variables = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in ServiceEnvironment.Variables(ServiceEnvironment.Visible(ns, links, defaults, own)))
        {
            variables[name] = value;
        }

        return variables;
    }

    internal static V1Container? FindContainer(V1Pod pod, string name) =>
        pod.Spec?.Containers?.FirstOrDefault(c => c.Name == name) ?? pod.Spec?.InitContainers?.FirstOrDefault(c => c.Name == name);

    private static PodConfigException ConfigError(string message) => new("CreateContainerConfigError", message);

    [GeneratedRegex("^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    private static partial Regex ValidName();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {Namespace}/{Name}: keys [{Keys}] from the EnvFrom {Kind} {SourceNamespace}/{Source} were skipped since they are considered invalid environment variable names")]
    private partial void LogInvalidKeys(string? @namespace, string? name, string keys, string kind, string sourceNamespace, string source);

    /// <summary>Each ConfigMap and Secret read once per resolution, so one container sees one version of each.</summary>
    private sealed class SourceCache(IPodSources sources, string ns)
    {
        private readonly Dictionary<string, V1ConfigMap?> _configMaps = new(StringComparer.Ordinal);
        private readonly Dictionary<string, V1Secret?> _secrets = new(StringComparer.Ordinal);

        public async Task<V1ConfigMap?> ConfigMapAsync(string name, CancellationToken cancellationToken)
        {
            if (!_configMaps.TryGetValue(name, out var configMap))
            {
                configMap = await sources.GetConfigMapAsync(ns, name, cancellationToken).ConfigureAwait(false);
                _configMaps[name] = configMap;
            }

            return configMap;
        }

        public async Task<V1Secret?> SecretAsync(string name, CancellationToken cancellationToken)
        {
            if (!_secrets.TryGetValue(name, out var secret))
            {
                secret = await sources.GetSecretAsync(ns, name, cancellationToken).ConfigureAwait(false);
                _secrets[name] = secret;
            }

            return secret;
        }
    }
}
