using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Security.ServiceAccounts;

/// <summary>The three parts of a compact JWS and the bytes its signature covers.</summary>
public sealed record JsonWebToken(JsonObject Header, JsonObject Payload, byte[] SigningInput, byte[] Signature)
{
    /// <summary>Joins <c>base64url(header).base64url(payload)</c> and the signature over those bytes.</summary>
    public static string Encode(JsonObject header, JsonObject payload, Func<byte[], byte[]> sign)
    {
        var signingInput = Base64Url.Encode(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." +
            Base64Url.Encode(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var signature = sign(Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url.Encode(signature);
    }

    /// <summary>Splits and decodes a compact JWS without checking its signature; null when it is not one.</summary>
    public static JsonWebToken? TryDecode(string token)
    {
        // A bearer token of another kind (a static token, a bootstrap token) is not a JWS; answer quickly.
        if (token.Length > 16 * 1024)
        {
            return null;
        }

        var parts = token.Split('.');
        if (parts.Length != 3 || !Base64Url.TryDecode(parts[0], out var header) || !Base64Url.TryDecode(parts[1], out var payload) ||
            !Base64Url.TryDecode(parts[2], out var signature))
        {
            return null;
        }

        try
        {
            if (JsonNode.Parse(header) is JsonObject h && JsonNode.Parse(payload) is JsonObject p)
            {
                return new JsonWebToken(h, p, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature);
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }
}
