using System.Text.Json.Nodes;
using Stevedore.ApiServer.OpenApi;

namespace Stevedore.ApiServer.Tests.OpenApi;

public class OpenApiV2Tests
{
    private static JsonObject Definitions => TestDocuments.V2["definitions"]!.AsObject();

    private static JsonObject Definition(string name) => Definitions[name]?.AsObject() ?? throw new Xunit.Sdk.XunitException($"no definition {name}");

    private static JsonObject Property(string definition, string property) => Definition(definition)["properties"]![property]!.AsObject();

    [Fact]
    public void V2Json_Always_IsSwagger20WithInfoPathsAndDefinitions()
    {
        var doc = TestDocuments.V2;

        Assert.Equal("2.0", doc["swagger"]!.GetValue<string>());
        Assert.Equal("Kubernetes", doc["info"]!["title"]!.GetValue<string>());
        Assert.True(doc["paths"]!.AsObject().Count > 100);
        Assert.True(Definitions.Count > 300);
    }

    [Theory]
    [InlineData("io.k8s.api.apps.v1.Deployment", "apps", "v1", "Deployment")]
    [InlineData("io.k8s.api.apps.v1.DeploymentList", "apps", "v1", "DeploymentList")]
    [InlineData("io.k8s.api.core.v1.Pod", "", "v1", "Pod")]
    [InlineData("io.k8s.api.core.v1.Event", "", "v1", "Event")]
    [InlineData("io.k8s.api.events.v1.Event", "events.k8s.io", "v1", "Event")]
    [InlineData("io.k8s.api.rbac.v1.ClusterRole", "rbac.authorization.k8s.io", "v1", "ClusterRole")]
    [InlineData("io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler", "autoscaling", "v2", "HorizontalPodAutoscaler")]
    [InlineData("io.k8s.api.autoscaling.v1.Scale", "autoscaling", "v1", "Scale")]
    [InlineData("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition", "apiextensions.k8s.io", "v1", "CustomResourceDefinition")]
    [InlineData("io.k8s.apimachinery.pkg.apis.meta.v1.Status", "", "v1", "Status")]
    public void V2Json_KindDefinition_CarriesGroupVersionKind(string definition, string group, string version, string kind)
    {
        var kinds = Definition(definition)["x-kubernetes-group-version-kind"]!.AsArray();

        Assert.Contains(kinds, k => k!["group"]!.GetValue<string>() == group && k["version"]!.GetValue<string>() == version && k["kind"]!.GetValue<string>() == kind);
    }

    [Theory]
    [InlineData("io.k8s.api.core.v1.PodSpec")]
    [InlineData("io.k8s.api.core.v1.PodTemplateSpec")]
    [InlineData("io.k8s.api.core.v1.ResourceRequirements")]
    [InlineData("io.k8s.api.core.v1.TopologySelectorTerm")]
    [InlineData("io.k8s.api.apps.v1.DeploymentStrategy")]
    [InlineData("io.k8s.api.apps.v1.RollingUpdateDeployment")]
    [InlineData("io.k8s.api.batch.v1.JobTemplateSpec")]
    [InlineData("io.k8s.api.discovery.v1.EndpointPort")]
    [InlineData("io.k8s.api.core.v1.EndpointPort")]
    [InlineData("io.k8s.api.authentication.v1.TokenRequest")]
    [InlineData("io.k8s.api.storage.v1.TokenRequest")]
    [InlineData("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")]
    [InlineData("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector")]
    [InlineData("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions")]
    public void V2Json_ModelType_IsNamedAfterItsUpstreamPackage(string definition)
    {
        Assert.True(Definitions.ContainsKey(definition), definition);
    }

    [Fact]
    public void V2Json_ObjectMeta_HasNoCoreCopy()
    {
        Assert.DoesNotContain(Definitions, d => d.Key.EndsWith(".ObjectMeta", StringComparison.Ordinal) && d.Key != "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    }

    [Theory]
    [InlineData("io.k8s.apimachinery.pkg.api.resource.Quantity", "string", null)]
    [InlineData("io.k8s.apimachinery.pkg.util.intstr.IntOrString", "string", "int-or-string")]
    [InlineData("io.k8s.apimachinery.pkg.apis.meta.v1.Time", "string", "date-time")]
    [InlineData("io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime", "string", "date-time")]
    [InlineData("io.k8s.apimachinery.pkg.runtime.RawExtension", "object", null)]
    [InlineData("io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1", "object", null)]
    public void V2Json_WellKnownType_HasUpstreamTypeAndFormat(string definition, string type, string? format)
    {
        var schema = Definition(definition);

        Assert.Equal(type, schema["type"]!.GetValue<string>());
        Assert.Equal(format, schema["format"]?.GetValue<string>());
        Assert.Null(schema["properties"]);
    }

    [Theory]
    [InlineData("io.k8s.api.core.v1.ServicePort", "targetPort", "io.k8s.apimachinery.pkg.util.intstr.IntOrString")]
    [InlineData("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "creationTimestamp", "io.k8s.apimachinery.pkg.apis.meta.v1.Time")]
    [InlineData("io.k8s.api.coordination.v1.LeaseSpec", "renewTime", "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime")]
    [InlineData("io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry", "fieldsV1", "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1")]
    [InlineData("io.k8s.api.apps.v1.ControllerRevision", "data", "io.k8s.apimachinery.pkg.runtime.RawExtension")]
    [InlineData("io.k8s.api.apps.v1.Deployment", "spec", "io.k8s.api.apps.v1.DeploymentSpec")]
    [InlineData("io.k8s.api.apps.v1.DeploymentSpec", "template", "io.k8s.api.core.v1.PodTemplateSpec")]
    public void V2Json_ObjectField_ReferencesItsDefinition(string definition, string property, string target)
    {
        Assert.Equal("#/definitions/" + target, Property(definition, property)["$ref"]!.GetValue<string>());
    }

    [Fact]
    public void V2Json_ResourceLimits_IsMapOfQuantity()
    {
        var limits = Property("io.k8s.api.core.v1.ResourceRequirements", "limits");

        Assert.Equal("object", limits["type"]!.GetValue<string>());
        Assert.Equal("#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity", limits["additionalProperties"]!["$ref"]!.GetValue<string>());
    }

    [Fact]
    public void V2Json_SecretData_IsMapOfBase64Strings()
    {
        var data = Property("io.k8s.api.core.v1.Secret", "data");

        Assert.Equal("string", data["additionalProperties"]!["type"]!.GetValue<string>());
        Assert.Equal("byte", data["additionalProperties"]!["format"]!.GetValue<string>());
    }

    [Fact]
    public void V2Json_PodSpecContainers_HasMergeKeyNameAndListMapKeys()
    {
        var containers = Property("io.k8s.api.core.v1.PodSpec", "containers");

        Assert.Equal("array", containers["type"]!.GetValue<string>());
        Assert.Equal("#/definitions/io.k8s.api.core.v1.Container", containers["items"]!["$ref"]!.GetValue<string>());
        Assert.Equal("name", containers["x-kubernetes-patch-merge-key"]!.GetValue<string>());
        Assert.Equal("merge", containers["x-kubernetes-patch-strategy"]!.GetValue<string>());
        Assert.Equal("map", containers["x-kubernetes-list-type"]!.GetValue<string>());
        Assert.Equal(["name"], containers["x-kubernetes-list-map-keys"]!.AsArray().Select(k => k!.GetValue<string>()));
    }

    [Fact]
    public void V2Json_FieldWithoutMergeMetadata_HasNoPatchExtensions()
    {
        var volumes = Property("io.k8s.api.core.v1.PodSpec", "volumes");

        Assert.DoesNotContain(volumes, p => p.Key.StartsWith("x-kubernetes-", StringComparison.Ordinal));
    }

    [Fact]
    public void V2Json_SetList_HasListTypeButNoMapKeys()
    {
        var finalizers = Property("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "finalizers");

        Assert.Equal("set", finalizers["x-kubernetes-list-type"]!.GetValue<string>());
        Assert.Null(finalizers["x-kubernetes-list-map-keys"]);
    }

    [Fact]
    public void V2Json_NonNullableValueFields_AreRequired()
    {
        var required = Definition("io.k8s.api.core.v1.ContainerPort")["required"]!.AsArray().Select(r => r!.GetValue<string>());

        Assert.Equal(["containerPort"], required);
        Assert.Null(Definition("io.k8s.api.apps.v1.DeploymentSpec")["required"]);
    }

    [Fact]
    public void V2Json_InjectedDescriptions_AppearOnTypesAndFields()
    {
        Assert.Equal("How old pods are replaced by new ones.", Definition("io.k8s.api.apps.v1.DeploymentStrategy")["description"]!.GetValue<string>());
        var strategy = Property("io.k8s.api.apps.v1.DeploymentSpec", "strategy");
        Assert.Equal("The strategy used to replace pods.", strategy["description"]!.GetValue<string>());
        Assert.Equal("#/definitions/io.k8s.api.apps.v1.DeploymentStrategy", strategy["$ref"]!.GetValue<string>());
        Assert.Equal("retainKeys", strategy["x-kubernetes-patch-strategy"]!.GetValue<string>());
    }

    [Fact]
    public void V2Json_EveryReference_ResolvesToADefinition()
    {
        var missing = TestDocuments.References(TestDocuments.V2)
            .Select(r => r["#/definitions/".Length..])
            .Where(name => !Definitions.ContainsKey(name))
            .Distinct()
            .ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void V2Json_EveryArraySchema_HasItems()
    {
        var itemless = TestDocuments.Objects(TestDocuments.V2)
            .Where(o => o["type"] is JsonValue t && t.GetValueKind() == System.Text.Json.JsonValueKind.String && t.GetValue<string>() == "array" && o["items"] is null)
            .ToList();

        Assert.Empty(itemless);
    }

    [Fact]
    public void V2Json_DeploymentItemPath_HasPatchWithPatchTypesParametersAndGvk()
    {
        var patch = TestDocuments.V2["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!["patch"]!.AsObject();

        var consumes = patch["consumes"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        Assert.Equal(OperationWriter.PatchContentTypes, consumes);
        var names = patch["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["body", "dryRun", "fieldManager", "fieldValidation", "force"], names);
        Assert.Equal("patch", patch["x-kubernetes-action"]!.GetValue<string>());
        Assert.Equal("Deployment", patch["x-kubernetes-group-version-kind"]!["kind"]!.GetValue<string>());
        Assert.Equal("patchAppsV1NamespacedDeployment", patch["operationId"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/api/v1/namespaces/{namespace}/pods", "get", "list", "Pod")]
    [InlineData("/api/v1/namespaces/{namespace}/pods", "post", "post", "Pod")]
    [InlineData("/api/v1/namespaces/{namespace}/pods", "delete", "deletecollection", "Pod")]
    [InlineData("/api/v1/pods", "get", "list", "Pod")]
    [InlineData("/api/v1/namespaces/{namespace}/pods/{name}", "put", "put", "Pod")]
    [InlineData("/api/v1/namespaces/{namespace}/pods/{name}", "delete", "delete", "Pod")]
    [InlineData("/api/v1/namespaces/{namespace}/pods/{name}/status", "patch", "patch", "Pod")]
    [InlineData("/api/v1/namespaces/{namespace}/pods/{name}/log", "get", "get", "Pod")]
    [InlineData("/api/v1/namespaces/{namespace}/pods/{name}/exec", "post", "connect", "PodExecOptions")]
    [InlineData("/api/v1/namespaces/{namespace}/pods/{name}/binding", "post", "post", "Binding")]
    [InlineData("/api/v1/namespaces/{namespace}/pods/{name}/eviction", "post", "post", "Eviction")]
    [InlineData("/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token", "post", "post", "TokenRequest")]
    [InlineData("/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale", "patch", "patch", "Scale")]
    [InlineData("/api/v1/nodes/{name}", "get", "get", "Node")]
    [InlineData("/api/v1/namespaces/{name}/finalize", "put", "put", "Namespace")]
    [InlineData("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "post", "post", "SelfSubjectAccessReview")]
    public void V2Json_ResourcePath_HasUpstreamOperation(string path, string method, string action, string kind)
    {
        var operation = TestDocuments.V2["paths"]![path]?[method]?.AsObject();

        Assert.NotNull(operation);
        Assert.Equal(action, operation["x-kubernetes-action"]!.GetValue<string>());
        Assert.Equal(kind, operation["x-kubernetes-group-version-kind"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public void V2Json_ListOperation_AcceptsWatchAndProducesWatchStreams()
    {
        var list = TestDocuments.V2["paths"]!["/api/v1/namespaces/{namespace}/configmaps"]!["get"]!.AsObject();

        Assert.Contains(list["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "watch" && p["type"]!.GetValue<string>() == "boolean");
        Assert.Contains(list["produces"]!.AsArray(), p => p!.GetValue<string>() == "application/json;stream=watch");
    }

    [Fact]
    public void V2Json_VirtualResource_HasNoItemPathOrList()
    {
        var paths = TestDocuments.V2["paths"]!.AsObject();

        Assert.False(paths.ContainsKey("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews/{name}"));
        Assert.Null(paths["/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"]!["get"]);
    }

    [Fact]
    public void V2Json_NamespacesWithoutDeleteCollection_HasNoCollectionDelete()
    {
        Assert.Null(TestDocuments.V2["paths"]!["/api/v1/namespaces"]!["delete"]);
    }

    [Theory]
    [InlineData("", "v1", "CoreV1", "core_v1")]
    [InlineData("apps", "v1", "AppsV1", "apps_v1")]
    [InlineData("rbac.authorization.k8s.io", "v1", "RbacAuthorizationV1", "rbacAuthorization_v1")]
    [InlineData("admissionregistration.k8s.io", "v1", "AdmissionregistrationV1", "admissionregistration_v1")]
    [InlineData("autoscaling", "v2", "AutoscalingV2", "autoscaling_v2")]
    public void OperationPrefix_Group_IsUpstreamCamelCase(string group, string version, string prefix, string tag)
    {
        Assert.Equal(prefix, ResourcePaths.OperationPrefix(group, version));
        Assert.Equal(tag, ResourcePaths.Tag(group, version));
    }
}
