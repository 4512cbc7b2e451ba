using System.Text.RegularExpressions;
using k8s.Models;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Schema;

namespace Stevedore.ApiServer.OpenApi;

/// <summary>
/// Every <c>k8s.Models</c> type reachable from the catalog, with its upstream definition name
/// (<c>io.k8s.api.core.v1.PodSpec</c>). The client's class names carry the version (V1, V2…)
/// and sometimes the group (<c>Corev1Event</c>), but most do not say which API package they
/// belong to: a type belongs to the first resource that reaches it, walking core first, so
/// PodSpec reached from Deployment is still core.
/// </summary>
internal sealed partial class ModelGraph
{
    private const string MetaPackage = "io.k8s.apimachinery.pkg.apis.meta";

    /// <summary>Types of apimachinery's meta/v1 package, shared by every group.</summary>
    private static readonly HashSet<Type> MetaTypes =
    [
        typeof(V1ObjectMeta), typeof(V1ListMeta), typeof(V1LabelSelector), typeof(V1LabelSelectorRequirement),
        typeof(V1OwnerReference), typeof(V1ManagedFieldsEntry), typeof(V1Status), typeof(V1StatusDetails),
        typeof(V1StatusCause), typeof(V1DeleteOptions), typeof(V1Preconditions), typeof(V1WatchEvent),
        typeof(V1Condition), typeof(V1APIResource), typeof(V1APIResourceList), typeof(V1APIGroup),
        typeof(V1APIGroupList), typeof(V1APIVersions), typeof(V1GroupVersionForDiscovery),
        typeof(V1ServerAddressByClientCIDR), typeof(V1FieldSelectorRequirement),
    ];

    /// <summary>Core types that only non-core resources reach (StorageClass.allowedTopologies).</summary>
    private static readonly HashSet<Type> CoreTypes = [typeof(V1TopologySelectorTerm), typeof(V1TopologySelectorLabelRequirement)];

    /// <summary>Kinds served only as subresources, with the group upstream puts them in.</summary>
    public static readonly IReadOnlyDictionary<Type, (string Group, string Version, string Kind)> SubresourceKinds =
        new Dictionary<Type, (string, string, string)>
        {
            [typeof(V1Scale)] = ("autoscaling", "v1", "Scale"),
            [typeof(V1Eviction)] = ("policy", "v1", "Eviction"),
            [typeof(Authenticationv1TokenRequest)] = ("authentication.k8s.io", "v1", "TokenRequest"),
        };

    /// <summary>Go <c>metav1.MicroTime</c> fields; every other timestamp is a <c>metav1.Time</c>.</summary>
    private static readonly HashSet<(Type, string)> MicroTimeFields =
    [
        (typeof(V1LeaseSpec), "acquireTime"), (typeof(V1LeaseSpec), "renewTime"),
        (typeof(Corev1Event), "eventTime"), (typeof(Corev1EventSeries), "lastObservedTime"),
        (typeof(Eventsv1Event), "eventTime"), (typeof(Eventsv1EventSeries), "lastObservedTime"),
    ];

    /// <summary>Untyped (<c>object</c>) fields and what upstream calls them; the rest are RawExtension.</summary>
    private static readonly Dictionary<(Type, string), string> FreeFormFields = new()
    {
        [(typeof(V1ManagedFieldsEntry), "fieldsV1")] = WellKnownSchemas.FieldsV1,
        [(typeof(V1JSONSchemaProps), "default")] = WellKnownSchemas.Json,
        [(typeof(V1JSONSchemaProps), "example")] = WellKnownSchemas.Json,
        [(typeof(V1JSONSchemaProps), "enum")] = WellKnownSchemas.Json,
        [(typeof(V1JSONSchemaProps), "additionalProperties")] = WellKnownSchemas.JsonSchemaPropsOrBool,
        [(typeof(V1JSONSchemaProps), "additionalItems")] = WellKnownSchemas.JsonSchemaPropsOrBool,
        [(typeof(V1JSONSchemaProps), "items")] = WellKnownSchemas.JsonSchemaPropsOrArray,
        [(typeof(V1JSONSchemaProps), "dependencies")] = WellKnownSchemas.JsonSchemaPropsOrStringArray,
    };

    private readonly Dictionary<Type, string> _names = [];
    private readonly HashSet<string> _usedNames = new(StringComparer.Ordinal);

    public ModelGraph(ResourceCatalog catalog)
    {
        foreach (var type in MetaTypes)
        {
            Assign(type, MetaPackage);
        }

        foreach (var type in CoreTypes)
        {
            Assign(type, PackageOf(""));
        }

        foreach (var (type, gvk) in SubresourceKinds)
        {
            Walk(type, PackageOf(gvk.Group));
        }

        // Core first, so core types reached from other groups keep their core names.
        foreach (var resource in catalog.All.OrderBy(r => r.Group.Length == 0 ? 0 : 1))
        {
            var package = PackageOf(resource.Group);
            Walk(resource.ModelType, package);
            if (ListTypeOf(resource.ModelType) is { } listType)
            {
                Walk(listType, package);
            }
        }

        foreach (var type in MetaTypes)
        {
            Walk(type, MetaPackage);
        }
    }

    public IEnumerable<Type> ModelTypes => _names.Keys;

    public string NameOf(Type modelType) =>
        _names.TryGetValue(modelType, out var name) ? name : throw new KeyNotFoundException($"{modelType.Name} is not reachable from the catalog");

    /// <summary>The client's list class of a kind (<c>V1Deployment</c> → <c>V1DeploymentList</c>), if any.</summary>
    public static Type? ListTypeOf(Type modelType) => modelType.Assembly.GetType(modelType.FullName + "List");

    /// <summary>How the property <paramref name="jsonName"/> of <paramref name="declaringType"/> is described.</summary>
    public static FieldShape ShapeOf(Type declaringType, string jsonName, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return new PrimitiveShape("string");
        }

        if (type == typeof(bool))
        {
            return new PrimitiveShape("boolean");
        }

        if (type == typeof(int) || type == typeof(short))
        {
            return new PrimitiveShape("integer", "int32");
        }

        if (type == typeof(long))
        {
            return new PrimitiveShape("integer", "int64");
        }

        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            return new PrimitiveShape("number", "double");
        }

        if (type == typeof(byte[]))
        {
            return new PrimitiveShape("string", "byte");
        }

        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return new WellKnownShape(MicroTimeFields.Contains((declaringType, jsonName)) ? WellKnownSchemas.MicroTime : WellKnownSchemas.Time);
        }

        if (type == typeof(ResourceQuantity))
        {
            return new WellKnownShape(WellKnownSchemas.Quantity);
        }

        if (type == typeof(IntOrString))
        {
            return new WellKnownShape(WellKnownSchemas.IntOrString);
        }

        if (type == typeof(object))
        {
            return new WellKnownShape(FreeFormFields.GetValueOrDefault((declaringType, jsonName), WellKnownSchemas.RawExtension));
        }

        if (ModelSchema.IsList(type))
        {
            return new ArrayShape(ShapeOf(declaringType, jsonName, ModelSchema.ElementType(type)!));
        }

        if (ModelSchema.IsMap(type))
        {
            return new MapShape(ShapeOf(declaringType, jsonName, ModelSchema.ElementType(type)!));
        }

        if (ModelSchema.IsModel(type))
        {
            return new ModelShape(type);
        }

        // Anything else the client might add later is described as free-form rather than wrongly.
        return new WellKnownShape(WellKnownSchemas.RawExtension);
    }

    /// <summary>The definitions (model types and well-known names) reachable from <paramref name="roots"/>.</summary>
    public static (IReadOnlyList<Type> Models, IReadOnlyList<string> WellKnown) Closure(IEnumerable<Type> roots)
    {
        var models = new HashSet<Type>();
        var wellKnown = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Type>(roots);
        while (pending.TryPop(out var type))
        {
            if (!models.Add(type))
            {
                continue;
            }

            foreach (var (json, property) in ModelSchema.PropertiesOf(type))
            {
                Visit(ShapeOf(type, json, property.PropertyType));
            }
        }

        return ([.. models], [.. wellKnown]);

        void Visit(FieldShape shape)
        {
            switch (shape)
            {
                case ModelShape m:
                    pending.Push(m.ModelType);
                    break;
                case WellKnownShape w:
                    wellKnown.Add(w.DefinitionName);
                    break;
                case ArrayShape a:
                    Visit(a.Items);
                    break;
                case MapShape m:
                    Visit(m.Values);
                    break;
            }
        }
    }

    /// <summary>The Go package of an API group: <c>io.k8s.api.apps</c>, <c>io.k8s.api.rbac</c>…</summary>
    public static string PackageOf(string group)
    {
        if (group.Length == 0)
        {
            return "io.k8s.api.core";
        }

        var name = group.Split('.')[0];
        return PackageOfShortName(name);
    }

    private static string PackageOfShortName(string name) => name switch
    {
        "apiextensions" => "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions",
        "apiregistration" => "io.k8s.kube-aggregator.pkg.apis.apiregistration",
        "meta" => MetaPackage,
        _ => "io.k8s.api." + name,
    };

    private void Walk(Type root, string package)
    {
        var pending = new Stack<Type>();
        pending.Push(root);
        while (pending.TryPop(out var type))
        {
            if (_names.ContainsKey(type) && type != root)
            {
                continue;
            }

            if (!_names.ContainsKey(type))
            {
                Assign(type, package);
            }

            foreach (var (json, property) in ModelSchema.PropertiesOf(type))
            {
                Push(ShapeOf(type, json, property.PropertyType));
            }
        }

        void Push(FieldShape shape)
        {
            switch (shape)
            {
                case ModelShape m when !_names.ContainsKey(m.ModelType):
                    pending.Push(m.ModelType);
                    break;
                case ArrayShape a:
                    Push(a.Items);
                    break;
                case MapShape m:
                    Push(m.Values);
                    break;
            }
        }
    }

    private void Assign(Type type, string package)
    {
        var match = ClassName().Match(type.Name);
        string name;
        if (!match.Success)
        {
            name = $"{package}.{type.Name}";
        }
        else
        {
            var version = match.Groups["version"].Value.ToLowerInvariant();
            var kind = match.Groups["kind"].Value;
            if (match.Groups["group"].Success)
            {
                package = PackageOfShortName(match.Groups["group"].Value.ToLowerInvariant());
            }

            name = $"{package}.{version}.{kind}";
        }

        // Two client classes must never share a definition; the second keeps its class name visible.
        if (!_usedNames.Add(name))
        {
            name = $"{name}_{type.Name}";
            _usedNames.Add(name);
        }

        _names[type] = name;
    }

    /// <summary>Client class names: optional group prefix (Corev1…), version (V1, V2beta1…), kind.</summary>
    [GeneratedRegex("^(?:(?<group>[A-Z][a-z]+)(?=v\\d))?(?<version>[Vv]\\d+(?:(?:alpha|beta)\\d+)?)(?<kind>[A-Z].*)$")]
    private static partial Regex ClassName();
}
