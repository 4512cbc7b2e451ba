using System.Text.Json.Nodes;
using k8s.Models;
using Stevedore.ApiServer.Apply;
using static Stevedore.ApiServer.Tests.Apply.Objects;

namespace Stevedore.ApiServer.Tests.Apply;

public class TrackedFieldsTests
{
    private const string Pod = """
        {"apiVersion":"v1","kind":"Pod",
         "metadata":{"name":"p","namespace":"default","resourceVersion":"7","labels":{"app":"web","tier":"fe"},"annotations":{"a":"1"},
                     "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs","uid":"u1","controller":true}],"finalizers":["x/y"]},
         "spec":{"nodeName":"n1","containers":[{"name":"c","image":"i:1","ports":[{"containerPort":80},{"containerPort":53,"protocol":"UDP"}],
                 "resources":{"requests":{"cpu":"100m"}},"args":["a","b"]}],
                 "tolerations":[{"key":"k","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],
                 "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"z","operator":"In","values":["a"]}]}]}}}},
         "status":{"phase":"Running","podIP":"10.0.0.1","podIPs":[{"ip":"10.0.0.1"}],
                   "conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-01-01T00:00:00Z"},{"type":"PodScheduled","status":"True"}],
                   "containerStatuses":[{"name":"c","ready":true,"restartCount":0,"state":{"running":{"startedAt":"2026-01-01T00:00:00Z"}}}]}}
        """;

    /// <summary>Edits of the pod above, each applied to a fresh copy.</summary>
    public static TheoryData<string, string> Edits => new()
    {
        { "nothing", "" },
        { "label value", "metadata.labels.app=api" },
        { "label added", "metadata.labels.new=x" },
        { "label removed", "-metadata.labels.tier" },
        { "labels emptied", "metadata.labels={}" },
        { "annotations removed", "-metadata.annotations" },
        { "finalizer added (set)", "metadata.finalizers=[\"x/y\",\"z/w\"]" },
        { "finalizers reordered", "metadata.finalizers=[\"z/w\",\"x/y\"]" },
        { "owner changed (map list)", "metadata.ownerReferences=[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"rs\",\"uid\":\"u2\",\"controller\":true}]" },
        { "image changed", "spec.containers=[{\"name\":\"c\",\"image\":\"i:2\",\"ports\":[{\"containerPort\":80},{\"containerPort\":53,\"protocol\":\"UDP\"}],\"resources\":{\"requests\":{\"cpu\":\"100m\"}},\"args\":[\"a\",\"b\"]}]" },
        { "container added", "spec.containers=[{\"name\":\"c\",\"image\":\"i:1\"},{\"name\":\"d\",\"image\":\"j\"}]" },
        { "port protocol defaulted vs explicit", "spec.containers=[{\"name\":\"c\",\"image\":\"i:1\",\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"},{\"containerPort\":53,\"protocol\":\"UDP\"}]}]" },
        { "atomic args changed", "spec.containers=[{\"name\":\"c\",\"image\":\"i:1\",\"ports\":[{\"containerPort\":80},{\"containerPort\":53,\"protocol\":\"UDP\"}],\"resources\":{\"requests\":{\"cpu\":\"100m\"}},\"args\":[\"b\"]}]" },
        { "atomic struct inside", "spec.affinity={\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":{\"nodeSelectorTerms\":[]}}}" },
        { "node name removed", "-spec.nodeName" },
        { "object became scalar", "spec.affinity=null" },
        { "status phase", "status.phase=Succeeded" },
        { "condition flipped", "status.conditions=[{\"type\":\"Ready\",\"status\":\"False\",\"lastTransitionTime\":\"2026-01-02T00:00:00Z\"},{\"type\":\"PodScheduled\",\"status\":\"True\"}]" },
        { "condition removed", "status.conditions=[{\"type\":\"PodScheduled\",\"status\":\"True\"}]" },
        { "container state changed", "status.containerStatuses=[{\"name\":\"c\",\"ready\":false,\"restartCount\":1,\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}}}]" },
        { "status removed", "-status" },
        { "server metadata only", "metadata.resourceVersion=\"8\"" },
        { "scalar member added", "status.hostIP=\"192.168.0.1\"" },
        { "list member added", "status.initContainerStatuses=[{\"name\":\"i\",\"ready\":true}]" },
        { "object member added", "spec.securityContext={\"runAsUser\":1,\"sysctls\":[{\"name\":\"a\",\"value\":\"b\"}]}" },
        { "scalar became object", "spec.nodeName={\"a\":1}" },
        { "scalar became null", "status.podIP=null" },
        { "number changed", "spec.tolerations=[{\"key\":\"k\",\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":301}]" },
    };

    [Theory]
    [MemberData(nameof(Edits))]
    public void Diff_AnyEdit_SameAsComparingEverything(string what, string edit)
    {
        foreach (var trackStatus in new[] { false, true })
        {
            var before = Parse(Pod);
            var after = Apply(Parse(Pod), edit);

            var expected = TrackedFields.Compare(
                TrackedFields.Collect(before, typeof(V1Pod), trackStatus),
                TrackedFields.Collect(after, typeof(V1Pod), trackStatus));
            var actual = TrackedFields.Diff(before, after, typeof(V1Pod), trackStatus);

            Assert.True(expected.Added.SetEquals(actual.Added), $"{what}: added {Show(actual.Added)} instead of {Show(expected.Added)}");
            Assert.True(expected.Modified.SetEquals(actual.Modified), $"{what}: modified {Show(actual.Modified)} instead of {Show(expected.Modified)}");
            Assert.True(expected.Removed.SetEquals(actual.Removed), $"{what}: removed {Show(actual.Removed)} instead of {Show(expected.Removed)}");
        }
    }

    [Fact]
    public void Diff_StatusChangeWithoutStatusTracking_FindsNothing()
    {
        var after = Apply(Parse(Pod), "status.phase=Failed");

        var (added, modified, removed) = TrackedFields.Diff(Parse(Pod), after, typeof(V1Pod), trackStatus: false);

        Assert.True(added.IsEmpty && modified.IsEmpty && removed.IsEmpty);
    }

    [Fact]
    public void Diff_ConditionFlipped_OnlyTheChangedLeaves()
    {
        var after = Apply(Parse(Pod), "status.conditions=[{\"type\":\"Ready\",\"status\":\"False\",\"lastTransitionTime\":\"2026-01-01T00:00:00Z\"},{\"type\":\"PodScheduled\",\"status\":\"True\"}]");

        var (added, modified, removed) = TrackedFields.Diff(Parse(Pod), after, typeof(V1Pod), trackStatus: true);

        Assert.True(added.IsEmpty);
        Assert.True(removed.IsEmpty);
        Assert.Equal([".status.conditions[type=\"Ready\"].status"], modified.Select(p => p.ToString()));
    }

    /// <summary>Applies "path=json" (set), "-path" (remove) or "" (nothing) to a copy.</summary>
    private static JsonObject Apply(JsonObject obj, string edit)
    {
        if (edit.Length == 0)
        {
            return obj;
        }

        var remove = edit.StartsWith('-');
        var (path, json) = remove ? (edit[1..], null) : (edit[..edit.IndexOf('=')], edit[(edit.IndexOf('=') + 1)..]);
        var parts = path.Split('.');
        var node = obj;
        foreach (var part in parts[..^1])
        {
            node = (JsonObject)node[part]!;
        }

        if (remove)
        {
            node.Remove(parts[^1]);
        }
        else
        {
            node[parts[^1]] = JsonNode.Parse(json!.StartsWith('[') || json.StartsWith('{') || json.StartsWith('"') || json == "null" ? json : $"\"{json}\"");
        }

        return obj;
    }

    private static string Show(FieldSet set) => "[" + string.Join(", ", set.Select(p => p.ToString()).Order(StringComparer.Ordinal)) + "]";
}
