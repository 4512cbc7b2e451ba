using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Security.ServiceAccounts;

/// <summary>
/// The key that signs ServiceAccount tokens: ECDSA P-256, so tokens are ES256 JWS. Kept as PEM in
/// <c>DATA/tls/service-account.key</c> (0600), created on first start and never replaced, because
/// replacing it would invalidate every token that pods hold.
/// </summary>
public sealed class ServiceAccountSigningKey : IDisposable
{
    public const string FileName = "service-account.key";

    /// <summary>The JWS algorithm these keys produce.</summary>
    public const string Algorithm = "ES256";

    private readonly ECDsa _key;

    private ServiceAccountSigningKey(ECDsa key)
    {
        _key = key;
        KeyId = KeyIdOf(key);
    }

    /// <summary>The <c>kid</c> header: the unpadded base64url SHA-256 of the DER public key, as upstream derives it.</summary>
    public string KeyId { get; }

    /// <summary>Loads <c><paramref name="dataDir"/>/tls/service-account.key</c>, creating it when missing.</summary>
    /// <exception cref="InvalidOperationException">The file exists but holds no usable EC private key.</exception>
    public static ServiceAccountSigningKey LoadOrCreate(string dataDir)
    {
        var tls = Path.Combine(dataDir, "tls");
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(tls);
        }
        else
        {
            Directory.CreateDirectory(tls, AtomicFile.OwnerOnlyDirectory);
        }

        var path = Path.Combine(tls, FileName);
        if (File.Exists(path))
        {
            try
            {
                return FromPem(File.ReadAllText(path));
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException)
            {
                // Never silently replace it: every token in the cluster would stop working.
                throw new InvalidOperationException($"{path} does not hold an EC private key in PEM form: {ex.Message}", ex);
            }
        }

        var created = Generate();
        AtomicFile.WriteAllText(path, created._key.ExportECPrivateKeyPem());
        return created;
    }

    /// <summary>A key from its PEM (SEC1 "EC PRIVATE KEY" or PKCS#8 "PRIVATE KEY").</summary>
    public static ServiceAccountSigningKey FromPem(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.KeySize != 256)
            {
                throw new ArgumentException($"expected a P-256 key, got {key.KeySize} bits");
            }

            return new ServiceAccountSigningKey(key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>A new key that lives only in memory (tests).</summary>
    public static ServiceAccountSigningKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>The JWS signature of <paramref name="signingInput"/>: r||s, 64 bytes, as RFC 7518 requires.</summary>
    public byte[] Sign(ReadOnlySpan<byte> signingInput) =>
        _key.SignData(signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public bool Verify(ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature) =>
        signature.Length == 64 &&
        _key.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>The public key as a JWK (RFC 7517), as <c>/openid/v1/jwks</c> lists it.</summary>
    public JsonObject ToJwk()
    {
        var parameters = _key.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["use"] = "sig",
            ["kty"] = "EC",
            ["kid"] = KeyId,
            ["crv"] = "P-256",
            ["alg"] = Algorithm,
            ["x"] = Base64Url.Encode(parameters.Q.X!),
            ["y"] = Base64Url.Encode(parameters.Q.Y!),
        };
    }

    public void Dispose() => _key.Dispose();

    private static string KeyIdOf(ECDsa key) => Base64Url.Encode(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
}
