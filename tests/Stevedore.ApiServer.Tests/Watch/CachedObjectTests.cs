using System.Text;
using Stevedore.ApiServer.Serialization;
using Stevedore.ApiServer.Watch;

namespace Stevedore.ApiServer.Tests.Watch;

public class CachedObjectTests
{
    /// <summary>Stored objects as the registry writes them (serialized by <see cref="Json.Serialize"/>, no resourceVersion).</summary>
    public static TheoryData<string, string> StoredObjects => new()
    {
        { "Pod", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"prod","uid":"u","labels":{"app":"web","tier":"front"},"managedFields":[{"manager":"m","fieldsV1":{"f:metadata":{"f:labels":{"f:app":{}}}}}]},"spec":{"nodeName":"node-1","restartPolicy":"Always","hostNetwork":true,"containers":[{"name":"c","image":"i"}]},"status":{"phase":"Running","podIP":"10.0.0.5"}}""" },
        { "Pod", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"pending","namespace":"ns"},"spec":{"containers":[]},"status":{"phase":"Pending","nominatedNodeName":null}}""" },
        { "Pod", """{"apiVersion":"v1","kind":"Pod","metadata":{},"spec":{"schedulerName":{"odd":["value",1]}},"status":null}""" },
        { "Event", """{"apiVersion":"v1","kind":"Event","metadata":{"name":"e","namespace":"ns"},"involvedObject":{"kind":"Pod","name":"p","namespace":"ns","uid":"u","apiVersion":"v1","resourceVersion":"7","fieldPath":"spec.containers{c}"},"reason":"Scheduled","source":{"component":"default-scheduler"},"type":"Normal","reportingComponent":"sched"}""" },
        { "Event", """{"apiVersion":"v1","kind":"Event","metadata":{"name":"e2","namespace":"ns"},"involvedObject":{"kind":"Node","name":"n"},"source":{},"reportingComponent":"kubelet","type":"Warning"}""" },
        { "Event", """{"apiVersion":"v1","kind":"Event","metadata":{"name":"e3","namespace":"ns"},"involvedObject":{"kind":"Node","name":"n"}}""" },
        { "Node", """{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1","labels":{"kubernetes.io/hostname":"n1","weird":5}},"spec":{"unschedulable":true}}""" },
        { "Node", """{"apiVersion":"v1","kind":"Node","metadata":{"name":"n2"},"spec":{}}""" },
        { "ReplicaSet", """{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"rs","namespace":"ns","labels":"not a map"},"status":{"replicas":3}}""" },
        { "Job", """{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j","namespace":"ns"},"status":{}}""" },
        { "ConfigMap", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"ns"},"data":{"metadata":"not this one","k":"v \u00e9 \"quoted\""}}""" },
        { "Secret", """{"apiVersion":"v1","kind":"Secret","type":"Opaque","metadata":{"namespace":"ns","name":"s"}}""" },
    };

    [Theory]
    [MemberData(nameof(StoredObjects))]
    public void FromStored_AsParsingStampingAndSerializing(string kind, string stored)
    {
        var bytes = Json.Serialize(Json.ParseObject(Encoding.UTF8.GetBytes(stored)));

        var fast = CachedObject.FromStored("/registry/k/ns/x", bytes, 42, kind);
        var general = CachedObject.FromObject("/registry/k/ns/x", Json.ParseObject(bytes), 42, kind);

        Assert.Equal(Encoding.UTF8.GetString(general.Json), Encoding.UTF8.GetString(fast.Json));
        Assert.Equal(general.Name, fast.Name);
        Assert.Equal(general.Namespace, fast.Namespace);
        Assert.Equal(general.Labels.OrderBy(p => p.Key), fast.Labels.OrderBy(p => p.Key));
        Assert.Equal(general.Fields.OrderBy(p => p.Key), fast.Fields.OrderBy(p => p.Key));
        Assert.Equal(42, fast.Revision);
    }

    [Fact]
    public void FromStored_Pod_StampsResourceVersionLastInMetadataAndFindsFields()
    {
        var cached = CachedObject.FromStored("/registry/pods/ns/p", """{"kind":"Pod","metadata":{"name":"p","namespace":"ns"},"spec":{"nodeName":"n"}}"""u8, 7, "Pod");

        Assert.Equal("""{"kind":"Pod","metadata":{"name":"p","namespace":"ns","resourceVersion":"7"},"spec":{"nodeName":"n"}}""", Encoding.UTF8.GetString(cached.Json));
        Assert.Equal("n", cached.Fields["spec.nodeName"]);
        Assert.Equal("false", cached.Fields["spec.hostNetwork"]);
        Assert.Equal("", cached.Fields["status.phase"]);
    }

    [Theory]
    [InlineData("""{"kind":"Pod","metadata":{},"spec":{}}""", """{"kind":"Pod","metadata":{"resourceVersion":"7"},"spec":{}}""")]
    [InlineData("""{"kind":"Pod","spec":{}}""", """{"kind":"Pod","spec":{},"metadata":{"resourceVersion":"7"}}""")]
    [InlineData("""{"kind":"Pod","metadata":{"name":"p","resourceVersion":"3"}}""", """{"kind":"Pod","metadata":{"name":"p","resourceVersion":"7"}}""")]
    public void FromStored_EmptyMissingOrStampedMetadata_ResourceVersionSetOnce(string stored, string expected)
    {
        var cached = CachedObject.FromStored("/registry/pods/ns/p", Encoding.UTF8.GetBytes(stored), 7, "Pod");

        Assert.Equal(expected, Encoding.UTF8.GetString(cached.Json));
    }
}
