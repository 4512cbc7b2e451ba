using System.Buffers.Binary;
using System.Text;

namespace Stevedore.Cri.Streaming.Spdy;

/// <summary>
/// The preset zlib dictionary of SPDY/3 header blocks (SPDY draft 3, section 2.6.10.1): common
/// header names, each as a 4-byte big-endian length and the name, then a run of common values.
/// Both sides must use exactly these bytes; its Adler-32 is <see cref="Id"/>.
/// </summary>
public static class SpdyDictionary
{
    /// <summary>The Adler-32 of <see cref="Bytes"/>, as it appears in a zlib header's FDICT field.</summary>
    public const uint Id = 0xE3C6A7C2;

    private static readonly string[] LengthPrefixed =
    [
        "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding",
        "accept-language", "accept-ranges", "age", "allow", "authorization", "cache-control", "connection",
        "content-base", "content-encoding", "content-language", "content-length", "content-location",
        "content-md5", "content-range", "content-type", "date", "etag", "expect", "expires", "from", "host",
        "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "last-modified",
        "location", "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer",
        "retry-after", "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via",
        "warning", "www-authenticate", "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url",
        "public", "set-cookie", "keep-alive", "origin",
    ];

    private const string Tail =
        "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505" +
        "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized" +
        "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable" +
        "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT" +
        "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain," +
        "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

    /// <summary>The dictionary bytes.</summary>
    public static byte[] Bytes { get; } = Build();

    private static byte[] Build()
    {
        var buffer = new List<byte>();
        Span<byte> length = stackalloc byte[4];
        foreach (var entry in LengthPrefixed)
        {
            BinaryPrimitives.WriteInt32BigEndian(length, entry.Length);
            buffer.AddRange(length.ToArray());
            buffer.AddRange(Encoding.ASCII.GetBytes(entry));
        }

        buffer.AddRange(Encoding.ASCII.GetBytes(Tail));
        return [.. buffer];
    }
}
