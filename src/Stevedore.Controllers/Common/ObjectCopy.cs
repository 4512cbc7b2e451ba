using k8s;

namespace Stevedore.Controllers.Common;

/// <summary>Deep copies of API objects, so decisions never mutate informer cache entries.</summary>
public static class ObjectCopy
{
    /// <summary>A deep copy by a JSON round trip (the models have no clone method).</summary>
    public static T Deep<T>(T value) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(value));
}
