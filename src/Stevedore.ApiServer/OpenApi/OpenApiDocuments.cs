using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Schema;

namespace Stevedore.ApiServer.OpenApi;

/// <summary>How the OpenAPI documents are built; the defaults are what the server uses.</summary>
public sealed record OpenApiOptions
{
    /// <summary>The <c>info.version</c> of every document.</summary>
    public string ServerVersion { get; init; } = "v1.33.0";

    /// <summary>Field descriptions; loaded on first use because the documentation file is large.</summary>
    public Func<ModelDescriptions> Descriptions { get; init; } = ModelDescriptions.LoadDefault;

    /// <summary>The merge metadata of a field (strategic merge patch keys, list types).</summary>
    public Func<Type, string, FieldPatchInfo?> PatchInfo { get; init; } = PatchStrategyTable.Find;
}

/// <summary>
/// The OpenAPI documents of the served API, generated from the typed models of the official
/// client and the resource catalog: Swagger 2.0 at <c>/openapi/v2</c> (JSON and gnostic
/// protobuf, which kubectl asks for) and OpenAPI 3.0 at <c>/openapi/v3</c> (an index of
/// group versions, each its own JSON document addressed with a content hash). Each document
/// is built on first use and then kept.
/// </summary>
public sealed class OpenApiDocuments
{
    private readonly ResourceCatalog _catalog;
    private readonly OpenApiOptions _options;
    private readonly Lazy<ModelGraph> _graph;
    private readonly Lazy<ModelDescriptions> _descriptions;
    private readonly Lazy<Dictionary<string, List<GroupVersionKind>>> _kinds;
    private readonly Lazy<V2Set> _v2;
    private readonly Lazy<V3Set> _v3;

    public OpenApiDocuments(ResourceCatalog catalog, OpenApiOptions? options = null)
    {
        _catalog = catalog;
        _options = options ?? new OpenApiOptions();
        _graph = new(() => new ModelGraph(_catalog));
        _descriptions = new(() => _options.Descriptions());
        _kinds = new(BuildKinds);
        _v2 = new(BuildV2);
        _v3 = new(BuildV3);
    }

    /// <summary>The Swagger 2.0 document as JSON (<c>Accept: application/json</c>).</summary>
    public byte[] V2Json => _v2.Value.Json;

    /// <summary>
    /// The Swagger 2.0 document as gnostic protobuf, served for
    /// <c>Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf</c>.
    /// </summary>
    public byte[] V2Protobuf => _v2.Value.Protobuf;

    /// <summary>Entity tag of <see cref="V2Json"/> (upper-case SHA-512 hex, unquoted).</summary>
    public string V2JsonHash => _v2.Value.JsonHash;

    /// <summary>Entity tag of <see cref="V2Protobuf"/> (upper-case SHA-512 hex, unquoted).</summary>
    public string V2ProtobufHash => _v2.Value.ProtobufHash;

    /// <summary>Entity tag of <see cref="V3Index"/> (upper-case SHA-512 hex, unquoted).</summary>
    public string V3IndexHash => _v3.Value.IndexHash;

    /// <summary>
    /// The <c>/openapi/v3</c> index: <c>{"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=…"},…}}</c>.
    /// </summary>
    public byte[] V3Index => _v3.Value.Index;

    /// <summary>The group-version paths of the index: <c>api/v1</c>, <c>apis/apps/v1</c>…</summary>
    public IReadOnlyList<string> V3Paths => _v3.Value.Paths;

    /// <summary>
    /// The OpenAPI 3.0 JSON document of one group version and its hash (the <c>hash</c> query
    /// parameter of its URL and its entity tag).
    /// </summary>
    /// <param name="groupVersionPath"><c>api/v1</c> or <c>apis/apps/v1</c>; a leading slash is ignored.</param>
    public bool TryGetV3(string groupVersionPath, out byte[] json, out string hash)
    {
        if (_v3.Value.Documents.TryGetValue(groupVersionPath.Trim('/'), out var document))
        {
            (json, hash) = document;
            return true;
        }

        json = [];
        hash = "";
        return false;
    }

    /// <summary>Upper-case hexadecimal SHA-512, the form upstream uses for OpenAPI hashes and entity tags.</summary>
    public static string Hash(byte[] content) => Convert.ToHexString(SHA512.HashData(content));

    private sealed record V2Set(byte[] Json, string JsonHash, byte[] Protobuf, string ProtobufHash);

    private sealed record V3Set(byte[] Index, string IndexHash, IReadOnlyList<string> Paths, Dictionary<string, (byte[] Json, string Hash)> Documents);

    /// <summary>Which definitions carry which <c>x-kubernetes-group-version-kind</c>, keyed by definition name.</summary>
    private Dictionary<string, List<GroupVersionKind>> BuildKinds()
    {
        var graph = _graph.Value;
        var kinds = new Dictionary<string, List<GroupVersionKind>>(StringComparer.Ordinal);
        void Add(string definition, GroupVersionKind kind)
        {
            if (!kinds.TryGetValue(definition, out var list))
            {
                kinds[definition] = list = [];
            }

            if (!list.Contains(kind))
            {
                list.Add(kind);
            }
        }

        foreach (var resource in _catalog.All)
        {
            Add(graph.NameOf(resource.ModelType), new(resource.Group, resource.Version, resource.Kind));
            if (ModelGraph.ListTypeOf(resource.ModelType) is { } listType)
            {
                Add(graph.NameOf(listType), new(resource.Group, resource.Version, resource.ListKind));
            }
        }

        foreach (var (type, (group, version, kind)) in ModelGraph.SubresourceKinds)
        {
            Add(graph.NameOf(type), new(group, version, kind));
        }

        // Like upstream, the option and event envelopes are registered in every group version.
        foreach (var (group, version) in _catalog.All.Select(r => (r.Group, r.Version)).Distinct())
        {
            Add(graph.NameOf(typeof(V1DeleteOptions)), new(group, version, "DeleteOptions"));
            Add(graph.NameOf(typeof(V1WatchEvent)), new(group, version, "WatchEvent"));
        }

        Add(graph.NameOf(typeof(V1Status)), new("", "v1", "Status"));
        return kinds;
    }

    private V2Set BuildV2()
    {
        var graph = _graph.Value;
        var schemas = new SchemaWriter(graph, OpenApiVersion.V2, _descriptions.Value, _options.PatchInfo);
        var operations = new OperationWriter(schemas, OpenApiVersion.V2);

        var definitions = Definitions(schemas, graph.ModelTypes, WellKnownSchemas.All.Keys);
        var document = new JsonObject
        {
            ["swagger"] = "2.0",
            ["info"] = Info(),
            ["paths"] = Paths(operations, _catalog.All),
            ["definitions"] = definitions,
            ["securityDefinitions"] = new JsonObject { ["BearerToken"] = BearerToken() },
            ["security"] = Security(),
        };

        var json = Serialize(document);
        var protobuf = GnosticV2Encoder.Encode(document);
        return new V2Set(json, Hash(json), protobuf, Hash(protobuf));
    }

    private V3Set BuildV3()
    {
        var graph = _graph.Value;
        var schemas = new SchemaWriter(graph, OpenApiVersion.V3, _descriptions.Value, _options.PatchInfo);
        var operations = new OperationWriter(schemas, OpenApiVersion.V3);

        var documents = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        var index = new JsonObject();
        foreach (var group in _catalog.All.GroupBy(r => r.GroupVersion).OrderBy(g => PathOf(g.First()), StringComparer.Ordinal))
        {
            var resources = group.ToList();
            var path = PathOf(resources[0]);
            var (models, wellKnown) = ModelGraph.Closure(RootsOf(resources));
            var document = new JsonObject
            {
                ["openapi"] = "3.0.0",
                ["info"] = Info(),
                ["paths"] = Paths(operations, resources),
                ["components"] = new JsonObject
                {
                    ["schemas"] = Definitions(schemas, models, [.. wellKnown, WellKnownSchemas.Patch]),
                    ["securitySchemes"] = new JsonObject { ["BearerToken"] = BearerToken() },
                },
                ["security"] = Security(),
            };
            var json = Serialize(document);
            var hash = Hash(json);
            documents[path] = (json, hash);
            index[path] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}?hash={hash}" };
        }

        var indexJson = Serialize(new JsonObject { ["paths"] = index });
        return new V3Set(indexJson, Hash(indexJson), [.. documents.Keys], documents);
    }

    private static string PathOf(ApiResource resource) =>
        resource.Group.Length == 0 ? "api/" + resource.Version : $"apis/{resource.Group}/{resource.Version}";

    /// <summary>The kinds of a group version, their lists, what their subresources carry, and the shared envelopes.</summary>
    private static IEnumerable<Type> RootsOf(IEnumerable<ApiResource> resources)
    {
        foreach (var resource in resources)
        {
            yield return resource.ModelType;
            if (ModelGraph.ListTypeOf(resource.ModelType) is { } listType)
            {
                yield return listType;
            }

            foreach (var subresource in resource.Subresources)
            {
                switch (subresource)
                {
                    case "scale":
                        yield return typeof(V1Scale);
                        break;
                    case "eviction":
                        yield return typeof(V1Eviction);
                        break;
                    case "binding":
                        yield return typeof(V1Binding);
                        break;
                    case "token":
                        yield return typeof(Authenticationv1TokenRequest);
                        break;
                }
            }
        }

        yield return typeof(V1Status);
        yield return typeof(V1DeleteOptions);
        yield return typeof(V1WatchEvent);
    }

    private JsonObject Definitions(SchemaWriter schemas, IEnumerable<Type> models, IEnumerable<string> wellKnown)
    {
        var graph = _graph.Value;
        var kinds = _kinds.Value;
        var entries = new List<(string Name, JsonObject Schema)>();
        foreach (var type in models)
        {
            var name = graph.NameOf(type);
            entries.Add((name, schemas.Definition(type, kinds.GetValueOrDefault(name) ?? [])));
        }

        foreach (var name in wellKnown.Distinct())
        {
            entries.Add((name, schemas.WellKnownDefinition(name, kinds.GetValueOrDefault(name) ?? [])));
        }

        var definitions = new JsonObject();
        foreach (var (name, schema) in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            definitions[name] = schema;
        }

        return definitions;
    }

    private static JsonObject Paths(OperationWriter operations, IEnumerable<ApiResource> resources)
    {
        var paths = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var resource in resources)
        {
            foreach (var path in ResourcePaths.For(resource))
            {
                var item = operations.PathItem(path);
                if (paths.TryGetValue(path.Path, out var existing))
                {
                    // Two resources on one path (never for built-ins): keep the first owner of each method.
                    foreach (var (method, operation) in item.ToList())
                    {
                        if (!existing.ContainsKey(method))
                        {
                            item.Remove(method);
                            existing[method] = operation;
                        }
                    }
                }
                else
                {
                    paths[path.Path] = item;
                }
            }
        }

        var json = new JsonObject();
        foreach (var (path, item) in paths)
        {
            json[path] = item;
        }

        return json;
    }

    private JsonObject Info() => new() { ["title"] = "Kubernetes", ["version"] = _options.ServerVersion };

    private static JsonObject BearerToken() => new()
    {
        ["description"] = "Bearer Token authentication",
        ["type"] = "apiKey",
        ["name"] = "authorization",
        ["in"] = "header",
    };

    private static JsonArray Security() => [new JsonObject { ["BearerToken"] = new JsonArray() }];

    private static byte[] Serialize(JsonNode node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            node.WriteTo(writer);
        }

        return buffer.ToArray();
    }
}
