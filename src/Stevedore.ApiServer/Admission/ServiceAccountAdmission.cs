using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Registry;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Serialization;

namespace Stevedore.ApiServer.Admission;

/// <summary>
/// The ServiceAccount admission plugin (upstream <c>plugin/pkg/admission/serviceaccount</c>) on pod
/// create: the service account defaults to <c>default</c> and must exist (the default one is waited
/// for briefly, since its controller creates it right after the namespace); unless the pod or its
/// service account opts out, every container and init container gets the <c>kube-api-access-XXXXX</c>
/// projected volume (token, ca.crt, namespace) read-only at <see cref="TokenMountPath"/>; the
/// account's imagePullSecrets are copied when the pod names none. Mirror pods are never changed and
/// may reference neither service accounts nor secrets.
/// </summary>
public sealed class ServiceAccountAdmission(ResourceRegistry registry, TimeProvider time) : IAdmissionPlugin
{
    public const string PluginName = "ServiceAccount";
    public const string DefaultServiceAccountName = "default";
    public const string TokenMountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
    public const string VolumeNamePrefix = "kube-api-access-";
    public const string MirrorPodAnnotation = "kubernetes.io/config.mirror";

    /// <summary>An hour and seven seconds: upstream's marker lifetime for automatically mounted tokens.</summary>
    public const long TokenExpirationSeconds = 60 * 60 + 7;

    /// <summary>How often the default ServiceAccount is looked for before the pod is refused, as upstream.</summary>
    private const int DefaultAccountAttempts = 10;

    private readonly ApiResource _serviceAccounts = registry.Catalog.Find("", "v1", "serviceaccounts")!;

    public string Name => PluginName;

    public async ValueTask AdmitCreateAsync(ApiResource resource, string? ns, JsonObject obj, WriteOptions options, CancellationToken cancellationToken)
    {
        if (resource.Group.Length != 0 || resource.Plural != "pods" || ns is null)
        {
            return;
        }

        var meta = Json.Metadata(obj);
        var podName = Json.GetString(meta, "name") ?? "";
        var spec = obj["spec"] as JsonObject ?? [];
        obj["spec"] = spec;
        if (meta["annotations"]?[MirrorPodAnnotation] is not null)
        {
            if (ServiceAccountPodSpec.MirrorPodViolation(spec) is { } violation)
            {
                throw Forbidden(podName, violation);
            }

            return;
        }

        var accountName = ServiceAccountPodSpec.DefaultServiceAccountName(spec);
        var account = await FindServiceAccountAsync(ns, accountName, cancellationToken)
            ?? throw Forbidden(podName, $"error looking up service account {ns}/{accountName}: serviceaccount \"{accountName}\" not found");
        if (ServiceAccountPodSpec.ShouldAutomount(spec, account))
        {
            ServiceAccountPodSpec.MountToken(spec, GenerateVolumeName);
        }

        ServiceAccountPodSpec.CopyImagePullSecrets(spec, account);
    }

    private async Task<JsonObject?> FindServiceAccountAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var key = ObjectKeys.For(_serviceAccounts, ns, name);
        if (registry.Caches.For(_serviceAccounts).Get(key) is { } cached)
        {
            return cached.ToJsonObject();
        }

        var attempts = name == DefaultServiceAccountName ? DefaultAccountAttempts : 1;
        var retryInterval = TimeSpan.FromMilliseconds(100 + RandomNumberGenerator.GetInt32(100));
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(retryInterval, time, cancellationToken);
            }

            if (await registry.Store.GetAsync(key, cancellationToken) is { } kv)
            {
                return ResourceRegistry.Decode(kv);
            }
        }

        return null;
    }

    private static ApiException Forbidden(string podName, string message) =>
        new(403, "Forbidden", $"pods \"{podName}\" is forbidden: {message}") { DetailsName = podName, DetailsKind = "pods" };

    /// <summary>"kube-api-access-" and five characters from upstream's unambiguous alphabet.</summary>
    private static string GenerateVolumeName()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        Span<char> suffix = stackalloc char[5];
        for (var i = 0; i < suffix.Length; i++)
        {
            suffix[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        }

        return VolumeNamePrefix + new string(suffix);
    }
}
