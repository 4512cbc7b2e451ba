using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;

namespace Stevedore.Client.Serialization;

/// <summary>
/// Puts a source-generated JSON context of the models a node agent reads and writes in front of
/// KubernetesClient's own, for every <see cref="KubernetesJson"/> user in the process.
/// </summary>
/// <remarks>
/// Why: KubernetesClient resolves a model's JSON contract through its generated context, whose type lookup is one
/// chain of <c>type == typeof(...)</c> tests over all ~1,000 models of every API version. Compiling that method
/// loads every one of those types, and its code is JIT-compiled (the package ships IL only). An idle agent held 860
/// model types for a few dozen it uses. This context lists only those (and what they reach), is compiled ahead of
/// time with our assemblies, and answers first; anything it does not know falls through to KubernetesClient's chain
/// as before, so the result is the same JSON either way (tests compare both).
/// </remarks>
public static class ModelJson
{
    private static int _installed;

    /// <summary>
    /// Installs the context. Call first thing in the process: KubernetesJson's options cannot change once used.
    /// </summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 0)
        {
            KubernetesJson.AddJsonOptions(options => options.TypeInfoResolver = InFrontOf(options.TypeInfoResolver));
        }
    }

    /// <summary>The context, then <paramref name="next"/> (KubernetesClient's resolver) for everything else.</summary>
    internal static IJsonTypeInfoResolver InFrontOf(IJsonTypeInfoResolver? next) =>
        JsonTypeInfoResolver.Combine(ModelJsonContext.Default, new SkippingModelInterfaces(next));

    /// <summary>
    /// KubernetesClient's resolver, except that it has no contract for the interfaces the models implement
    /// (IKubernetesObject, IMetadata&lt;T&gt;, IEquatable&lt;T&gt;...) nor for ValueType. The serializer asks for a
    /// value's ancestors when it writes one through <c>object</c> (V1Patch's content, managedFields' fieldsV1), only to
    /// look for polymorphism settings, which these never carry; passed on, the question would load every model.
    /// </summary>
    private sealed class SkippingModelInterfaces(IJsonTypeInfoResolver? next) : IJsonTypeInfoResolver
    {
        public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options) =>
            IsModelInterface(type) ? null : next?.GetTypeInfo(type, options);

        private static bool IsModelInterface(Type type) =>
            type == typeof(ValueType)
            || (type.IsInterface && (type.Assembly == typeof(IKubernetesObject).Assembly
                || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEquatable<>))));
    }
}

/// <summary>The models a node agent and the client machinery read and write, with everything they reach.</summary>
[JsonSerializable(typeof(V1Pod))]
[JsonSerializable(typeof(V1PodStatus))]
[JsonSerializable(typeof(KubernetesList<V1Pod>))]
[JsonSerializable(typeof(V1Node))]
[JsonSerializable(typeof(KubernetesList<V1Node>))]
[JsonSerializable(typeof(V1Lease))]
[JsonSerializable(typeof(KubernetesList<V1Lease>))]
[JsonSerializable(typeof(V1Service))]
[JsonSerializable(typeof(KubernetesList<V1Service>))]
[JsonSerializable(typeof(V1ServiceList))]
[JsonSerializable(typeof(V1EndpointSlice))]
[JsonSerializable(typeof(KubernetesList<V1EndpointSlice>))]
[JsonSerializable(typeof(V1ConfigMap))]
[JsonSerializable(typeof(KubernetesList<V1ConfigMap>))]
[JsonSerializable(typeof(V1Secret))]
[JsonSerializable(typeof(KubernetesList<V1Secret>))]
[JsonSerializable(typeof(Corev1Event))]
[JsonSerializable(typeof(V1Status))]
[JsonSerializable(typeof(V1Patch))]
// Written through object (V1Patch's content, managedFields' fieldsV1): their contracts must not fall through either.
[JsonSerializable(typeof(object))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Authenticationv1TokenRequest))]
[JsonSerializable(typeof(V1CertificateSigningRequest))]
internal sealed partial class ModelJsonContext : JsonSerializerContext;
