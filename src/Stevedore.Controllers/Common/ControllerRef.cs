using k8s.Models;

namespace Stevedore.Controllers.Common;

/// <summary>Helpers around the controller owner reference (the one with controller=true).</summary>
public static class ControllerRef
{
    /// <summary>The controlling owner reference, if any.</summary>
    public static V1OwnerReference? Of(V1ObjectMeta? meta) =>
        meta?.OwnerReferences?.FirstOrDefault(r => r.Controller == true);

    /// <summary>An owner reference that marks <paramref name="owner"/> as the controller and blocks its foreground deletion.</summary>
    public static V1OwnerReference For(string apiVersion, string kind, V1ObjectMeta owner) => new()
    {
        ApiVersion = apiVersion,
        Kind = kind,
        Name = owner.Name,
        Uid = owner.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };
}
