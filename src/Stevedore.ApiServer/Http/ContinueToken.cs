using System.Text;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Http;

/// <summary>
/// The opaque <c>continue</c> value of a paged list: the revision the first page was read at
/// and the last key returned, so every page is served from the same snapshot.
/// </summary>
public static class ContinueToken
{
    public static string Encode(long revision, string lastKey)
    {
        var json = new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = revision, ["start"] = lastKey }.ToJsonString();
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static (long Revision, string LastKey) Decode(string token)
    {
        try
        {
            var padded = token.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var obj = JsonNode.Parse(Convert.FromBase64String(padded)) as JsonObject;
            var rv = obj?["rv"]?.GetValue<long>() ?? throw new FormatException();
            var start = obj["start"]?.GetValue<string>() ?? throw new FormatException();
            return (rv, start);
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or InvalidOperationException)
        {
            throw ApiException.BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }
    }
}
