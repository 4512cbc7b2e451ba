using System.Text.Json.Nodes;
using Stevedore.ApiServer.Defaulting;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Validation;

/// <summary>
/// Upstream Kubernetes validation of built-in kinds over JSON: object metadata for every kind,
/// per-kind spec rules for the main kinds, and update immutability. Expects defaulted objects
/// (run <see cref="Defaulter"/> first, as upstream validates after decoding with defaults).
/// Pure: no I/O.
/// </summary>
public static class Validator
{
    /// <summary>Errors of <paramref name="obj"/> as a new object; empty when valid.</summary>
    public static IReadOnlyList<FieldError> ValidateCreate(ApiResource resource, JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(obj);
        var errors = new List<FieldError>();
        ObjectMetaValidator.ValidateCreate(obj, resource.Namespaced, NameRuleOf(resource), errors);
        ValidateKind(resource, obj, null, errors);
        return errors;
    }

    /// <summary>Errors of replacing <paramref name="oldObj"/> with <paramref name="newObj"/>; empty when valid.</summary>
    /// <param name="subresource">The subresource written (<c>status</c>, <c>approval</c>...), null for the object itself.</param>
    public static IReadOnlyList<FieldError> ValidateUpdate(ApiResource resource, JsonObject newObj, JsonObject oldObj, string? subresource = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(newObj);
        ArgumentNullException.ThrowIfNull(oldObj);
        var errors = new List<FieldError>();
        ObjectMetaValidator.ValidateUpdate(newObj, oldObj, errors);
        if ((resource.Group, resource.Kind) == ("certificates.k8s.io", "CertificateSigningRequest"))
        {
            // What an update may change depends on the subresource it goes through.
            CertificateValidator.ValidateUpdate(newObj, oldObj, subresource, errors);
            return errors;
        }

        ValidateKind(resource, newObj, oldObj, errors, subresource);
        return errors;
    }

    /// <summary>The rule a kind's name must follow, as upstream's per-kind name validators.</summary>
    public static NameRule NameRuleOf(ApiResource resource) => (resource.Group, resource.Kind) switch
    {
        ("", "Namespace") => NameRule.Dns1123Label,
        ("", "Service") => NameRule.Dns1035Label,
        ("rbac.authorization.k8s.io", _) => NameRule.PathSegment,
        _ => NameRule.Dns1123Subdomain,
    };

    private static void ValidateKind(ApiResource resource, JsonObject obj, JsonObject? old, List<FieldError> errors, string? subresource = null)
    {
        switch ((resource.Group, resource.Kind))
        {
            case ("", "Pod"):
                if (old is null)
                {
                    PodValidator.ValidatePod(obj, errors);
                }
                else if (subresource == "status")
                {
                    // Upstream ValidatePodStatusUpdate: the status strategy kept the stored spec, so
                    // the spec is not validated again (this is every kubelet status write).
                    PodValidator.ValidatePodStatusUpdate(obj, old, errors);
                }
                else
                {
                    PodValidator.ValidatePodUpdate(obj, old, errors);
                }

                break;
            case ("", "PodTemplate"):
                PodValidator.ValidateTemplate(obj.Obj("template"), "template", errors);
                break;
            case ("", "ReplicationController"):
                WorkloadValidator.ValidateReplicationController(obj, errors);
                break;
            case ("", "Service"):
                ServiceValidator.Validate(obj, errors);
                if (old is not null)
                {
                    ServiceValidator.ValidateUpdate(obj, old, errors);
                }

                break;
            case ("", "ConfigMap"):
                ConfigDataValidator.ValidateConfigMap(obj, errors);
                if (old is not null)
                {
                    ConfigDataValidator.ValidateImmutableUpdate(obj, old, isSecret: false, errors);
                }

                break;
            case ("", "Secret"):
                ConfigDataValidator.ValidateSecret(obj, errors);
                if (old is not null)
                {
                    ConfigDataValidator.ValidateImmutableUpdate(obj, old, isSecret: true, errors);
                }

                break;
            case ("", "Namespace"):
                CoreValidator.ValidateNamespace(obj, errors);
                break;
            case ("", "PersistentVolumeClaim"):
                if (old is null)
                {
                    CoreValidator.ValidatePersistentVolumeClaim(obj, errors);
                }
                else
                {
                    CoreValidator.ValidatePersistentVolumeClaimUpdate(obj, old, errors);
                }

                break;
            case ("apps", "Deployment"):
                WorkloadValidator.ValidateDeployment(obj, errors);
                SelectorUnchanged(obj, old, errors);
                break;
            case ("apps", "ReplicaSet"):
                WorkloadValidator.ValidateReplicaSet(obj, errors);
                SelectorUnchanged(obj, old, errors);
                break;
            case ("apps", "StatefulSet"):
                WorkloadValidator.ValidateStatefulSet(obj, errors);
                if (old is not null)
                {
                    WorkloadValidator.ValidateStatefulSetUpdate(obj, old, errors);
                }

                break;
            case ("apps", "DaemonSet"):
                WorkloadValidator.ValidateDaemonSet(obj, errors);
                SelectorUnchanged(obj, old, errors);
                break;
            case ("batch", "Job"):
                BatchValidator.ValidateJob(obj, errors);
                if (old is not null)
                {
                    BatchValidator.ValidateJobUpdate(obj, old, errors);
                }

                break;
            case ("batch", "CronJob"):
                BatchValidator.ValidateCronJob(obj, old, errors);
                break;
            case ("certificates.k8s.io", "CertificateSigningRequest"):
                CertificateValidator.ValidateCreate(obj, errors);
                break;
            case ("apiextensions.k8s.io", "CustomResourceDefinition"):
                var spec = obj.Obj("spec");
                var expected = $"{spec.Obj("names").Str("plural")}.{spec.Str("group")}";
                var name = obj.Obj("metadata").Str("name") ?? "";
                if (name.Length > 0 && name != expected)
                {
                    errors.Add(FieldError.Invalid("metadata.name", name, "must be spec.names.plural+\".\"+spec.group"));
                }

                break;
        }
    }

    private static void SelectorUnchanged(JsonObject obj, JsonObject? old, List<FieldError> errors)
    {
        if (old is not null)
        {
            WorkloadValidator.ValidateSelectorUnchanged(obj, old, errors);
        }
    }
}
