using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.IntegrationTests;

/// <summary>
/// Throws random and mutated bodies at every write verb. Whatever comes in, the server answers
/// with a Kubernetes Status (never a 5xx), a rejected request writes nothing, and the server
/// keeps serving.
/// </summary>
[Collection(ApiServerCollection.Name)]
public sealed class FuzzTests(ApiServerFixture server)
{
    private static readonly string[] Seeds =
    [
        """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"seed","labels":{"a":"b"}},"data":{"k":"v"}}""",
        """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"seed"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"busybox","ports":[{"containerPort":80}]}]}}}}""",
        """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"seed"},"spec":{"containers":[{"name":"c","image":"busybox","env":[{"name":"A","value":"1"}]}]}}""",
        """{"apiVersion":"v1","kind":"Service","metadata":{"name":"seed"},"spec":{"selector":{"app":"x"},"ports":[{"port":80,"targetPort":8080}]}}""",
    ];

    private static readonly (string Path, int Seed)[] Targets =
    [
        ("/api/v1/namespaces/{ns}/configmaps", 0),
        ("/apis/apps/v1/namespaces/{ns}/deployments", 1),
        ("/api/v1/namespaces/{ns}/pods", 2),
        ("/api/v1/namespaces/{ns}/services", 3),
    ];

    private static readonly string[] PatchTypes =
        ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"];

    [Fact]
    public async Task RandomBodies_EveryVerb_AnswerStatusAndWriteNothingWhenRejected()
    {
        var ns = await server.CreateNamespaceAsync();
        var random = new Random(20261124);
        foreach (var (path, seedIndex) in Targets)
        {
            var collection = path.Replace("{ns}", ns, StringComparison.Ordinal);
            var (code, _) = await server.SendAsync(HttpMethod.Post, collection, Seeds[seedIndex]);
            Assert.Equal(HttpStatusCode.Created, code);
        }

        var rejected = 0;
        for (var i = 0; i < 1500; i++)
        {
            var (path, seedIndex) = Targets[random.Next(Targets.Length)];
            var collection = path.Replace("{ns}", ns, StringComparison.Ordinal);
            var body = Mutate(random, Seeds[seedIndex]);
            var (method, url, contentType) = random.Next(4) switch
            {
                0 => (HttpMethod.Post, collection, "application/json"),
                1 => (HttpMethod.Put, collection + "/seed", "application/json"),
                2 => (HttpMethod.Patch, collection + "/seed" + (random.Next(4) == 0 ? "?fieldManager=fuzz" : ""), PatchTypes[random.Next(PatchTypes.Length)]),
                _ => (HttpMethod.Delete, collection + "/nonexistent-" + i, "application/json"),
            };

            var before = await server.Host.Registry.Store.GetCurrentRevisionAsync(CancellationToken.None);
            var (status, text) = await SendRawAsync(method, url, body, contentType);
            Assert.True(status < 500, $"{method} {url} ({contentType}) answered {status}: {text}\nbody: {Encoding.UTF8.GetString(body)}");
            if (status >= 400)
            {
                rejected++;
                var parsed = JsonNode.Parse(text) as JsonObject;
                Assert.True(parsed?["kind"]?.ToString() == "Status", $"{method} {url} answered {status} without a Status: {text}");
                Assert.Equal(status, parsed!["code"]!.GetValue<int>());
                var after = await server.Host.Registry.Store.GetCurrentRevisionAsync(CancellationToken.None);
                Assert.True(before == after, $"rejected {method} {url} ({status}) still wrote: revision {before} -> {after}");
            }
        }

        Assert.True(rejected > 500, $"only {rejected} of 1500 mutated requests were rejected; the fuzzer is not exercising error paths");
        var (readyCode, _) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/seed");
        Assert.Equal(HttpStatusCode.OK, readyCode);
    }

    private async Task<(int Status, string Text)> SendRawAsync(HttpMethod method, string url, byte[] body, string contentType)
    {
        using var request = new HttpRequestMessage(method, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await server.Client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>One of several corruptions of a valid body, from byte noise to type confusion.</summary>
    private static byte[] Mutate(Random random, string seed)
    {
        var bytes = Encoding.UTF8.GetBytes(seed);
        switch (random.Next(9))
        {
            case 0:
                var noise = new byte[random.Next(0, 200)];
                random.NextBytes(noise);
                return noise;
            case 1:
                return bytes[..random.Next(bytes.Length)];
            case 2:
                var flipped = (byte[])bytes.Clone();
                for (var k = 0; k < 1 + random.Next(5); k++)
                {
                    flipped[random.Next(flipped.Length)] = (byte)random.Next(256);
                }

                return flipped;
            case 3:
                return Encoding.UTF8.GetBytes(new string('[', 2000) + new string(']', 2000));
            case 4:
                return Encoding.UTF8.GetBytes(random.Next(3) switch { 0 => "null", 1 => "42", _ => "\"text\"" });
            default:
                var node = JsonNode.Parse(seed)!.AsObject();
                MutateNode(random, node, 0);
                if (random.Next(6) == 0)
                {
                    return Encoding.UTF8.GetBytes("[" + node.ToJsonString() + "]");
                }

                return Encoding.UTF8.GetBytes(node.ToJsonString());
        }
    }

    private static readonly JsonNode?[] Replacements = ["", "UPPER_case!", -1, 1e300, true, null, new JsonArray(1, "a"), new JsonObject { ["x"] = 1 }, new string('a', 300), 9223372036854775807];

    private static void MutateNode(Random random, JsonNode node, int depth)
    {
        if (node is JsonObject obj && obj.Count > 0)
        {
            var keys = obj.Select(kv => kv.Key).ToList();
            var key = keys[random.Next(keys.Count)];
            var child = obj[key];
            if (child is not null && depth < 6 && random.Next(3) > 0)
            {
                MutateNode(random, child, depth + 1);
                return;
            }

            switch (random.Next(3))
            {
                case 0:
                    obj.Remove(key);
                    break;
                case 1:
                    obj[key] = Replacements[random.Next(Replacements.Length)]?.DeepClone();
                    break;
                default:
                    obj["unknown" + random.Next(100)] = Replacements[random.Next(Replacements.Length)]?.DeepClone();
                    break;
            }
        }
        else if (node is JsonArray array && array.Count > 0)
        {
            var index = random.Next(array.Count);
            if (array[index] is { } item && depth < 6 && random.Next(2) == 0)
            {
                MutateNode(random, item, depth + 1);
            }
            else
            {
                array[index] = Replacements[random.Next(Replacements.Length)]?.DeepClone();
            }
        }
    }
}
