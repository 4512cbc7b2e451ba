namespace Stevedore.ApiServer.Security.ServiceAccounts;

/// <summary>Unpadded base64url (RFC 4648 §5), the encoding of every JWS part.</summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    /// <summary>Decodes unpadded base64url; false for anything else (padding, other alphabets, bad length).</summary>
    public static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Contains('=', StringComparison.Ordinal) || !System.Buffers.Text.Base64Url.IsValid(text))
        {
            return false;
        }

        try
        {
            bytes = System.Buffers.Text.Base64Url.DecodeFromChars(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
