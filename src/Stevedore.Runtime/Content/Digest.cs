using System.Security.Cryptography;

namespace Stevedore.Runtime.Content;

/// <summary>A content digest in the OCI form <c>sha256:&lt;64 hex&gt;</c>; only sha256 is supported.</summary>
public readonly record struct Digest
{
    private Digest(string hex) => Hex = hex;

    /// <summary>The lowercase hex encoding of the sha256 hash.</summary>
    public string Hex { get; }

    /// <summary>The algorithm name; always <c>sha256</c>.</summary>
    public static string Algorithm => "sha256";

    /// <summary>Parses <c>sha256:hex</c>; throws <see cref="EngineException"/> for anything else.</summary>
    public static Digest Parse(string value) =>
        TryParse(value, out var digest)
            ? digest
            : throw new EngineException(EngineErrorKind.InvalidArgument, $"invalid digest \"{value}\": expected sha256:<64 hex digits>");

    /// <summary>Parses <c>sha256:hex</c> without throwing.</summary>
    public static bool TryParse(string? value, out Digest digest)
    {
        digest = default;
        if (value is null || !value.StartsWith("sha256:", StringComparison.Ordinal) || value.Length != 71)
        {
            return false;
        }

        var hex = value[7..];
        if (!hex.All(static c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')))
        {
            return false;
        }

        digest = new Digest(hex);
        return true;
    }

    /// <summary>Wraps a raw 32-byte sha256 hash.</summary>
    public static Digest FromHash(ReadOnlySpan<byte> hash) => new(Convert.ToHexStringLower(hash));

    /// <summary>The digest of a byte array.</summary>
    public static Digest Of(ReadOnlySpan<byte> data) => FromHash(SHA256.HashData(data));

    /// <inheritdoc />
    public override string ToString() => Hex is null ? "" : "sha256:" + Hex;
}
