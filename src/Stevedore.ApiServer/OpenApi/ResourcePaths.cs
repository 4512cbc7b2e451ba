using System.Globalization;
using k8s.Models;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.OpenApi;

/// <summary>What an operation sends or returns.</summary>
internal enum OperationBody
{
    None,
    Object,
    Patch,
    Text,
}

/// <summary>One HTTP operation of a resource path, independent of the OpenAPI version.</summary>
internal sealed record OperationSpec(
    string Method,
    string Action,
    string OperationId,
    string Description,
    GroupVersionKind Kind,
    IReadOnlyList<ParameterSpec> Query,
    OperationBody Request,
    FieldShape? RequestSchema,
    OperationBody Response,
    FieldShape? ResponseSchema,
    IReadOnlyList<string> SuccessCodes,
    bool Watchable = false);

/// <summary>One path with its shared (path-level) parameters and operations.</summary>
internal sealed record PathSpec(string Path, IReadOnlyList<ParameterSpec> Parameters, IReadOnlyList<OperationSpec> Operations);

/// <summary>
/// The upstream REST operations of a catalog resource: list/create/deletecollection on the
/// collection, get/replace/patch/delete on the item, list across namespaces, and the
/// subresources (status, scale, binding, eviction, log, exec, attach, portforward, token…).
/// </summary>
internal static class ResourcePaths
{
    public static IEnumerable<PathSpec> For(ApiResource resource)
    {
        var prefix = resource.Group.Length == 0 ? "/api/" + resource.Version : $"/apis/{resource.Group}/{resource.Version}";
        var kind = new GroupVersionKind(resource.Group, resource.Version, resource.Kind);
        var id = OperationPrefix(resource.Group, resource.Version);
        var scopedKind = (resource.Namespaced ? "Namespaced" : "") + resource.Kind;
        var collection = resource.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{resource.Plural}" : $"{prefix}/{resource.Plural}";
        var item = collection + "/{name}";
        var model = new ModelShape(resource.ModelType);
        var listType = ModelGraph.ListTypeOf(resource.ModelType);
        var status = new ModelShape(typeof(V1Status));
        var deleteOptions = new ModelShape(typeof(V1DeleteOptions));
        bool Can(string verb) => resource.Verbs.Contains(verb);

        IReadOnlyList<ParameterSpec> collectionParameters = resource.Namespaced ? [QueryParameters.PathNamespace, QueryParameters.Pretty] : [QueryParameters.Pretty];
        IReadOnlyList<ParameterSpec> itemParameters = resource.Namespaced
            ? [QueryParameters.PathName(resource.Kind), QueryParameters.PathNamespace, QueryParameters.Pretty]
            : [QueryParameters.PathName(resource.Kind), QueryParameters.Pretty];

        var collectionOps = new List<OperationSpec>();
        if (Can("list") && listType is not null)
        {
            collectionOps.Add(new("get", "list", $"list{id}{scopedKind}", $"list or watch objects of kind {resource.Kind}", kind,
                QueryParameters.List, OperationBody.None, null, OperationBody.Object, new ModelShape(listType), ["200"], Watchable: true));
        }

        if (Can("create"))
        {
            collectionOps.Add(new("post", "post", $"create{id}{scopedKind}", $"create a {resource.Kind}", kind,
                QueryParameters.Write, OperationBody.Object, model, OperationBody.Object, model, ["200", "201", "202"]));
        }

        if (Can("deletecollection"))
        {
            collectionOps.Add(new("delete", "deletecollection", $"delete{id}Collection{scopedKind}", $"delete a collection of {resource.Kind}", kind,
                QueryParameters.DeleteCollection, OperationBody.Object, deleteOptions, OperationBody.Object, status, ["200"]));
        }

        if (collectionOps.Count > 0)
        {
            yield return new PathSpec(collection, collectionParameters, collectionOps);
        }

        if (resource.Namespaced && Can("list") && listType is not null)
        {
            yield return new PathSpec($"{prefix}/{resource.Plural}", [QueryParameters.Pretty],
            [
                new("get", "list", $"list{id}{resource.Kind}ForAllNamespaces", $"list or watch objects of kind {resource.Kind} in all namespaces", kind,
                    QueryParameters.List, OperationBody.None, null, OperationBody.Object, new ModelShape(listType), ["200"], Watchable: true),
            ]);
        }

        var itemOps = new List<OperationSpec>();
        if (Can("get"))
        {
            itemOps.Add(new("get", "get", $"read{id}{scopedKind}", $"read the specified {resource.Kind}", kind,
                [], OperationBody.None, null, OperationBody.Object, model, ["200"]));
        }

        if (Can("update"))
        {
            itemOps.Add(new("put", "put", $"replace{id}{scopedKind}", $"replace the specified {resource.Kind}", kind,
                QueryParameters.Write, OperationBody.Object, model, OperationBody.Object, model, ["200", "201"]));
        }

        if (Can("patch"))
        {
            itemOps.Add(Patch($"patch{id}{scopedKind}", $"partially update the specified {resource.Kind}", kind, model));
        }

        if (Can("delete"))
        {
            itemOps.Add(new("delete", "delete", $"delete{id}{scopedKind}", $"delete a {resource.Kind}", kind,
                QueryParameters.Delete, OperationBody.Object, deleteOptions, OperationBody.Object, status, ["200", "202"]));
        }

        if (itemOps.Count > 0)
        {
            yield return new PathSpec(item, itemParameters, itemOps);
        }

        foreach (var subresource in resource.Subresources)
        {
            if (Subresource(subresource, resource, kind, id, scopedKind, model) is { Count: > 0 } ops)
            {
                IReadOnlyList<ParameterSpec> parameters = resource.Namespaced
                    ? [QueryParameters.PathName(SubresourceOwner(subresource, resource.Kind)), QueryParameters.PathNamespace, QueryParameters.Pretty]
                    : [QueryParameters.PathName(SubresourceOwner(subresource, resource.Kind)), QueryParameters.Pretty];
                yield return new PathSpec($"{item}/{subresource}", parameters, ops);
            }
        }
    }

    /// <summary>Upstream operation ids start with the group in camel case and the version: <c>AppsV1</c>, <c>RbacAuthorizationV1</c>, <c>CoreV1</c>.</summary>
    public static string OperationPrefix(string group, string version) => GroupIdentifier(group) + Capitalize(version);

    /// <summary>Upstream tags: <c>core_v1</c>, <c>apps_v1</c>, <c>rbacAuthorization_v1</c>.</summary>
    public static string Tag(string group, string version)
    {
        var groupId = GroupIdentifier(group);
        return char.ToLowerInvariant(groupId[0]) + groupId[1..] + "_" + version;
    }

    private static string GroupIdentifier(string group)
    {
        if (group.Length == 0)
        {
            return "Core";
        }

        var trimmed = group.EndsWith(".k8s.io", StringComparison.Ordinal) ? group[..^".k8s.io".Length] : group;
        return string.Concat(trimmed.Split('.', '-').Where(s => s.Length > 0).Select(Capitalize));
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpper(s[0], CultureInfo.InvariantCulture) + s[1..];

    private static string SubresourceOwner(string subresource, string kind) => subresource switch
    {
        "binding" => "Binding",
        "eviction" => "Eviction",
        "token" => "TokenRequest",
        "scale" => "Scale",
        "exec" => "PodExecOptions",
        "attach" => "PodAttachOptions",
        "portforward" => "PodPortForwardOptions",
        _ => kind,
    };

    private static OperationSpec Patch(string operationId, string description, GroupVersionKind kind, FieldShape model) =>
        new("patch", "patch", operationId, description, kind, QueryParameters.Patch,
            OperationBody.Patch, new WellKnownShape(WellKnownSchemas.Patch), OperationBody.Object, model, ["200", "201"]);

    private static List<OperationSpec> Subresource(string name, ApiResource resource, GroupVersionKind kind, string id, string scopedKind, FieldShape model)
    {
        var suffix = Capitalize(name);
        switch (name)
        {
            case "status":
            case "ephemeralcontainers":
                var what = name == "status" ? "status" : "ephemeralcontainers";
                return
                [
                    new("get", "get", $"read{id}{scopedKind}{suffix}", $"read {what} of the specified {resource.Kind}", kind,
                        [], OperationBody.None, null, OperationBody.Object, model, ["200"]),
                    new("put", "put", $"replace{id}{scopedKind}{suffix}", $"replace {what} of the specified {resource.Kind}", kind,
                        QueryParameters.Write, OperationBody.Object, model, OperationBody.Object, model, ["200", "201"]),
                    Patch($"patch{id}{scopedKind}{suffix}", $"partially update {what} of the specified {resource.Kind}", kind, model),
                ];
            case "scale":
                var scale = new ModelShape(typeof(V1Scale));
                var scaleKind = new GroupVersionKind("autoscaling", "v1", "Scale");
                return
                [
                    new("get", "get", $"read{id}{scopedKind}Scale", $"read scale of the specified {resource.Kind}", scaleKind,
                        [], OperationBody.None, null, OperationBody.Object, scale, ["200"]),
                    new("put", "put", $"replace{id}{scopedKind}Scale", $"replace scale of the specified {resource.Kind}", scaleKind,
                        QueryParameters.Write, OperationBody.Object, scale, OperationBody.Object, scale, ["200", "201"]),
                    Patch($"patch{id}{scopedKind}Scale", $"partially update scale of the specified {resource.Kind}", scaleKind, scale),
                ];
            case "finalize":
                return
                [
                    new("put", "put", $"replace{id}{scopedKind}Finalize", $"replace finalize of the specified {resource.Kind}", kind,
                        QueryParameters.Write, OperationBody.Object, model, OperationBody.Object, model, ["200", "201"]),
                ];
            case "binding":
                return [Create(typeof(V1Binding), new GroupVersionKind("", "v1", "Binding"), $"create{id}{scopedKind}Binding", $"create binding of a {resource.Kind}")];
            case "eviction":
                return [Create(typeof(V1Eviction), new GroupVersionKind("policy", "v1", "Eviction"), $"create{id}{scopedKind}Eviction", $"create eviction of a {resource.Kind}")];
            case "token":
                return [Create(typeof(Authenticationv1TokenRequest), new GroupVersionKind("authentication.k8s.io", "v1", "TokenRequest"), $"create{id}{scopedKind}Token", $"create token of a {resource.Kind}")];
            case "log":
                return
                [
                    new("get", "get", $"read{id}{scopedKind}Log", $"read log of the specified {resource.Kind}", kind,
                        QueryParameters.Log, OperationBody.None, null, OperationBody.Text, new PrimitiveShape("string"), ["200"]),
                ];
            case "exec":
            case "attach":
            case "portforward":
                var options = new GroupVersionKind("", "v1", SubresourceOwner(name, resource.Kind));
                var query = name switch { "exec" => QueryParameters.Exec, "attach" => QueryParameters.Attach, _ => QueryParameters.PortForward };
                var connectSuffix = name == "portforward" ? "Portforward" : suffix;
                return
                [
                    Connect("get", $"connect{id}Get{scopedKind}{connectSuffix}", $"connect GET requests to {name} of {resource.Kind}", options, query),
                    Connect("post", $"connect{id}Post{scopedKind}{connectSuffix}", $"connect POST requests to {name} of {resource.Kind}", options, query),
                ];
            default:
                return [];
        }

        static OperationSpec Create(Type body, GroupVersionKind kind, string operationId, string description)
        {
            var shape = new ModelShape(body);
            return new("post", "post", operationId, description, kind, QueryParameters.Write,
                OperationBody.Object, shape, OperationBody.Object, shape, ["200", "201", "202"]);
        }

        static OperationSpec Connect(string method, string operationId, string description, GroupVersionKind kind, IReadOnlyList<ParameterSpec> query) =>
            new(method, "connect", operationId, description, kind, query, OperationBody.None, null, OperationBody.Text, new PrimitiveShape("string"), ["200"]);
    }
}
