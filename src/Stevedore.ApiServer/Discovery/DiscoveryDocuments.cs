using System.Text.Json.Nodes;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Serialization;

namespace Stevedore.ApiServer.Discovery;

/// <summary>
/// The discovery documents, built once from the catalog: the legacy per-level documents
/// (<c>/api</c>, <c>/apis</c>, <c>/apis/g</c>, <c>/api/v1</c>, <c>/apis/g/v</c>) and the aggregated
/// <c>APIGroupDiscoveryList</c> that kubectl 1.27+ asks for to learn everything in two requests.
/// </summary>
public sealed class DiscoveryDocuments
{
    private readonly ResourceCatalog _catalog;
    private readonly Dictionary<string, byte[]> _resourceLists = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _groups = new(StringComparer.Ordinal);

    public DiscoveryDocuments(ResourceCatalog catalog)
    {
        _catalog = catalog;
        ApiVersions = Json.Serialize(new JsonObject
        {
            ["kind"] = "APIVersions",
            ["versions"] = new JsonArray("v1"),
            ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = "" }),
        });
        var groupList = new JsonArray();
        foreach (var group in catalog.Groups)
        {
            var g = GroupObject(group);
            groupList.Add(g.DeepClone());
            g["kind"] = "APIGroup";
            g["apiVersion"] = "v1";
            _groups[group] = Json.Serialize(g);
        }

        ApiGroupList = Json.Serialize(new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groupList });
        foreach (var gv in catalog.GroupVersions)
        {
            _resourceLists[gv] = Json.Serialize(ResourceList(gv));
        }

        AggregatedCore = [Aggregated(core: true, "v2"), Aggregated(core: true, "v2beta1")];
        AggregatedGroups = [Aggregated(core: false, "v2"), Aggregated(core: false, "v2beta1")];
    }

    public byte[] ApiVersions { get; }
    public byte[] ApiGroupList { get; }

    /// <summary>Aggregated <c>/api</c> documents: [v2, v2beta1].</summary>
    public byte[][] AggregatedCore { get; }

    /// <summary>Aggregated <c>/apis</c> documents: [v2, v2beta1].</summary>
    public byte[][] AggregatedGroups { get; }

    public byte[]? Group(string group) => _groups.GetValueOrDefault(group);

    public byte[]? ResourceList(string group, string version) =>
        _resourceLists.GetValueOrDefault(group.Length == 0 ? version : $"{group}/{version}");

    private JsonObject GroupObject(string group)
    {
        var versions = _catalog.All.Where(r => r.Group == group).Select(r => r.Version).Distinct().ToList();
        var list = new JsonArray();
        foreach (var v in versions)
        {
            list.Add(new JsonObject { ["groupVersion"] = $"{group}/{v}", ["version"] = v });
        }

        return new JsonObject
        {
            ["name"] = group,
            ["versions"] = list,
            ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{group}/{versions[0]}", ["version"] = versions[0] },
        };
    }

    private JsonObject ResourceList(string groupVersion)
    {
        var resources = new JsonArray();
        foreach (var r in _catalog.All.Where(r => r.GroupVersion == groupVersion))
        {
            var entry = new JsonObject
            {
                ["name"] = r.Plural,
                ["singularName"] = r.Singular,
                ["namespaced"] = r.Namespaced,
                ["kind"] = r.Kind,
                ["verbs"] = Strings(r.Verbs),
            };
            if (r.ShortNames.Count > 0)
            {
                entry["shortNames"] = Strings(r.ShortNames);
            }

            if (r.Categories.Count > 0)
            {
                entry["categories"] = Strings(r.Categories);
            }

            resources.Add(entry);
            foreach (var sub in r.Subresources)
            {
                var info = SubresourceInfo.For(sub, r.Group, r.Version, r.Kind);
                var subEntry = new JsonObject
                {
                    ["name"] = $"{r.Plural}/{sub}",
                    ["singularName"] = "",
                    ["namespaced"] = r.Namespaced,
                    ["kind"] = info.Kind,
                    ["verbs"] = Strings(info.Verbs),
                };
                if (info.Group != r.Group)
                {
                    subEntry["group"] = info.Group;
                    subEntry["version"] = info.Version;
                }

                resources.Add(subEntry);
            }
        }

        return new JsonObject { ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = groupVersion, ["resources"] = resources };
    }

    private byte[] Aggregated(bool core, string discoveryVersion)
    {
        var items = new JsonArray();
        var groups = core ? [""] : _catalog.Groups.ToList();
        foreach (var group in groups)
        {
            var versions = new JsonArray();
            foreach (var version in _catalog.All.Where(r => r.Group == group).Select(r => r.Version).Distinct())
            {
                var resources = new JsonArray();
                foreach (var r in _catalog.InGroupVersion(group, version))
                {
                    var entry = new JsonObject
                    {
                        ["resource"] = r.Plural,
                        ["responseKind"] = Gvk(r.Group, r.Version, r.Kind),
                        ["scope"] = r.Namespaced ? "Namespaced" : "Cluster",
                        ["singularResource"] = r.Singular,
                        ["verbs"] = Strings(r.Verbs),
                    };
                    if (r.ShortNames.Count > 0)
                    {
                        entry["shortNames"] = Strings(r.ShortNames);
                    }

                    if (r.Categories.Count > 0)
                    {
                        entry["categories"] = Strings(r.Categories);
                    }

                    if (r.Subresources.Count > 0)
                    {
                        var subs = new JsonArray();
                        foreach (var sub in r.Subresources)
                        {
                            var info = SubresourceInfo.For(sub, r.Group, r.Version, r.Kind);
                            subs.Add(new JsonObject
                            {
                                ["subresource"] = sub,
                                ["responseKind"] = Gvk(info.Group, info.Version, info.Kind),
                                ["verbs"] = Strings(info.Verbs),
                            });
                        }

                        entry["subresources"] = subs;
                    }

                    resources.Add(entry);
                }

                versions.Add(new JsonObject { ["version"] = version, ["resources"] = resources, ["freshness"] = "Current" });
            }

            items.Add(new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = group, ["creationTimestamp"] = null },
                ["versions"] = versions,
            });
        }

        return Json.Serialize(new JsonObject
        {
            ["kind"] = "APIGroupDiscoveryList",
            ["apiVersion"] = $"apidiscovery.k8s.io/{discoveryVersion}",
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        });
    }

    private static JsonObject Gvk(string group, string version, string kind) =>
        new() { ["group"] = group, ["version"] = version, ["kind"] = kind };

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);
}
