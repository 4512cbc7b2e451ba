using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using Stevedore.Client.Resources;

namespace Stevedore.Client.Tests.Resources;

public sealed class WatchStreamReaderTests
{
    private const string PodEvent = """{"type":"MODIFIED","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns","resourceVersion":"42","creationTimestamp":"2026-01-02T03:04:05Z"},"spec":{"nodeName":"n1","containers":[{"name":"c","image":"i","resources":{"requests":{"cpu":"250m","memory":"64Mi"}},"ports":[{"containerPort":8080}]}]},"status":{"phase":"Running"}}}""";

    [Fact]
    public void Parse_PodEvent_DeserializesTheObjectWithTheClientsConverters()
    {
        var e = WatchStreamReader.Parse<V1Pod>(Encoding.UTF8.GetBytes(PodEvent));

        Assert.Equal(WatchEventType.Modified, e.Type);
        Assert.Equal("42", e.Object!.Metadata.ResourceVersion);
        Assert.Equal(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), e.Object.Metadata.CreationTimestamp);
        Assert.Equal(0.25m, e.Object.Spec.Containers[0].Resources.Requests["cpu"].ToDecimal());
        Assert.Equal("Running", e.Object.Status.Phase);
        Assert.Null(e.Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Parse_ManagedFields_KeptUnlessTrimmed(bool trim)
    {
        var line = PodEvent.Replace("\"resourceVersion\":\"42\"",
            "\"resourceVersion\":\"42\",\"managedFields\":[{\"manager\":\"kubectl\",\"operation\":\"Update\",\"apiVersion\":\"v1\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:spec\":{\"f:nodeName\":{}}}}],\"labels\":{\"app\":\"web\"}",
            StringComparison.Ordinal);

        var e = WatchStreamReader.Parse<V1Pod>(Encoding.UTF8.GetBytes(line), trim);

        Assert.Equal(trim ? null : "kubectl", e.Object!.Metadata.ManagedFields?.Single().Manager);
        // Everything after the skipped value is still read.
        Assert.Equal("web", e.Object.Metadata.Labels["app"]);
        Assert.Equal("n1", e.Object.Spec.NodeName);
    }

    [Fact]
    public void Parse_ObjectBeforeType_StillDecoded()
    {
        var e = WatchStreamReader.Parse<V1Pod>("""{"object":{"metadata":{"name":"p"}},"type":"DELETED"}"""u8);

        Assert.Equal(WatchEventType.Deleted, e.Type);
        Assert.Equal("p", e.Object!.Metadata.Name);
    }

    [Fact]
    public void Parse_ExpiredError_StatusAsValue()
    {
        var e = WatchStreamReader.Parse<V1Pod>("""{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410,"message":"too old"}}"""u8);

        Assert.Equal(WatchEventType.Error, e.Type);
        Assert.Null(e.Object);
        Assert.True(e.IsExpired);
        Assert.Equal("too old", e.Status!.Message);
    }

    [Theory]
    [InlineData("""{"type":"SOMETHING","object":{}}""")]
    [InlineData("""{"object":{}}""")]
    [InlineData("""[1,2]""")]
    public void Parse_NotAWatchEvent_Throws(string line)
    {
        Assert.ThrowsAny<JsonException>(() => WatchStreamReader.Parse<V1Pod>(Encoding.UTF8.GetBytes(line)));
    }

    [Fact]
    public async Task ReadAsync_LinesSplitAcrossTinyReads_EveryEventInOrder()
    {
        var text = string.Join("\n", Enumerable.Range(0, 50).Select(i => PodEvent.Replace("\"42\"", $"\"{i}\"", StringComparison.Ordinal)))
            + "\n\r\n\n" + """{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"99"}}}""";
        using var stream = new TrickleStream(Encoding.UTF8.GetBytes(text));

        var events = new List<WatchEvent<V1Pod>>();
        await foreach (var e in WatchStreamReader.ReadAsync<V1Pod>(stream, trimManagedFields: false, CancellationToken.None))
        {
            events.Add(e);
        }

        Assert.Equal(51, events.Count);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), events.Take(50).Select(e => e.Object!.Metadata.ResourceVersion));
        Assert.Equal(WatchEventType.Bookmark, events[^1].Type);
        Assert.Equal("99", events[^1].Object!.Metadata.ResourceVersion);
    }

    /// <summary>Hands out its bytes a few at a time, like a slow network.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        private int _next = 1;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _next = (_next % 7) + 1;
            return base.ReadAsync(buffer[..Math.Min(buffer.Length, _next)], cancellationToken);
        }

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 3));
    }
}
