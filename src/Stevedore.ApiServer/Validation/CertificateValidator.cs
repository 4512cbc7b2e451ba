using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Defaulting;

namespace Stevedore.ApiServer.Validation;

/// <summary>
/// Upstream's rules for certificates.k8s.io/v1 CertificateSigningRequests: a PEM PKCS#10 request whose
/// signature verifies, known and unique usages, a <c>domain/path</c> signer name, expirationSeconds of at
/// least 10 minutes, well-formed conditions and a PEM certificate. Updates may not remove Approved, Denied or
/// Failed conditions; only <c>/approval</c> may add or change Approved/Denied and only <c>/status</c> may set
/// the certificate, once.
/// </summary>
internal static class CertificateValidator
{
    public const string ApprovedCondition = "Approved";
    public const string DeniedCondition = "Denied";
    public const string FailedCondition = "Failed";

    /// <summary>Upstream's KeyUsage values, in its (sorted) order for NotSupported messages.</summary>
    public static readonly string[] KnownUsages =
    [
        "any", "cert sign", "client auth", "code signing", "content commitment", "crl sign", "data encipherment",
        "decipher only", "digital signature", "email protection", "encipher only", "ipsec end system", "ipsec tunnel",
        "ipsec user", "key agreement", "key encipherment", "microsoft sgc", "netscape sgc", "ocsp signing", "s/mime",
        "server auth", "signing", "timestamping",
    ];

    private static readonly string[] TrueOnly = ["True"];
    private static readonly string[] AllStatuses = ["False", "True", "Unknown"];

    /// <summary>Shortest certificate lifetime a requester may ask for (upstream: 10 minutes).</summary>
    public const long MinExpirationSeconds = 600;

    public static void ValidateCreate(JsonObject csr, List<FieldError> errors) => Validate(csr, old: null, errors);

    /// <param name="subresource">null for the object itself, <c>status</c> or <c>approval</c>.</param>
    public static void ValidateUpdate(JsonObject csr, JsonObject old, string? subresource, List<FieldError> errors)
    {
        Validate(csr, old, errors);
        foreach (var type in (string[])[ApprovedCondition, DeniedCondition, FailedCondition])
        {
            if (Conditions(csr, type).Count < Conditions(old, type).Count)
            {
                errors.Add(FieldError.Forbidden("status.conditions", $"updates may not remove a condition of type \"{type}\""));
            }
        }

        if (subresource != "approval")
        {
            foreach (var type in (string[])[ApprovedCondition, DeniedCondition])
            {
                var before = Conditions(old, type);
                var after = Conditions(csr, type);
                if (after.Count > before.Count)
                {
                    errors.Add(FieldError.Forbidden("status.conditions", $"updates may not add a condition of type \"{type}\""));
                }
                else if (after.Count == before.Count && !before.Zip(after).All(p => JsonNode.DeepEquals(p.First, p.Second)))
                {
                    errors.Add(FieldError.Forbidden("status.conditions", $"updates may not modify a condition of type \"{type}\""));
                }
            }
        }

        var certificate = csr.Obj("status").Str("certificate") ?? "";
        var oldCertificate = old.Obj("status").Str("certificate") ?? "";
        if (certificate != oldCertificate)
        {
            if (subresource != "status")
            {
                errors.Add(FieldError.Forbidden("status.certificate", "updates may not set certificate content"));
            }
            else if (oldCertificate.Length > 0)
            {
                errors.Add(FieldError.Forbidden("status.certificate", "updates may not modify existing certificate content"));
            }
        }
    }

    private static void Validate(JsonObject csr, JsonObject? old, List<FieldError> errors)
    {
        var spec = csr.Obj("spec");
        if (RequestProblem(spec.Str("request")) is { } problem)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec.request", "[]byte{...}", problem));
        }

        var usages = spec.Arr("usages")?.Select(u => u?.ToString() ?? "").ToList() ?? [];
        if (usages.Count == 0)
        {
            errors.Add(FieldError.Required("spec.usages", "usages must be provided"));
        }

        var oldUsages = old.Obj("spec").Arr("usages")?.Select(u => u?.ToString() ?? "").ToList() ?? [];
        // Stored objects that already break a rule stay updatable (upstream tolerates existing data).
        if (!oldUsages.Any(u => !KnownUsages.Contains(u)))
        {
            for (var i = 0; i < usages.Count; i++)
            {
                if (!KnownUsages.Contains(usages[i]))
                {
                    errors.Add(FieldError.NotSupported("spec.usages".Index(i), usages[i], KnownUsages));
                }
            }
        }

        if (oldUsages.Distinct().Count() == oldUsages.Count)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < usages.Count; i++)
            {
                if (!seen.Add(usages[i]))
                {
                    errors.Add(FieldError.Duplicate("spec.usages".Index(i), usages[i]));
                }
            }
        }

        var signerName = spec.Str("signerName") ?? "";
        if (signerName == "kubernetes.io/legacy-unknown" && old.Obj("spec").Str("signerName") != signerName)
        {
            errors.Add(FieldError.Invalid("spec.signerName", signerName, "the legacy signerName is not allowed via this API version"));
        }
        else
        {
            ValidateSignerName("spec.signerName", signerName, errors);
        }

        if (spec.Int("expirationSeconds") is { } seconds && seconds < MinExpirationSeconds)
        {
            errors.Add(FieldError.Invalid("spec.expirationSeconds", seconds, "may not specify a duration less than 600 seconds (10 minutes)"));
        }

        ValidateConditions(csr, old, errors);
        var certificate = csr.Obj("status").Str("certificate") ?? "";
        if (certificate != (old.Obj("status").Str("certificate") ?? "") && CertificateProblem(certificate) is { } bad)
        {
            errors.Add(FieldError.Invalid("status.certificate", "<certificate data>", bad));
        }
    }

    private static void ValidateConditions(JsonObject csr, JsonObject? old, List<FieldError> errors)
    {
        var conditions = csr.Obj("status").Arr("conditions")?.OfType<JsonObject>().ToList() ?? [];
        var oldTypes = old.Obj("status").Arr("conditions")?.OfType<JsonObject>().Select(c => c.Str("type") ?? "").ToList() ?? [];
        var allowBoth = oldTypes.Contains(ApprovedCondition) && oldTypes.Contains(DeniedCondition);
        var allowDuplicates = oldTypes.Distinct().Count() != oldTypes.Count;
        var allowEmpty = oldTypes.Contains("");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        bool approved = false, denied = false;
        for (var i = 0; i < conditions.Count; i++)
        {
            var path = "status.conditions".Index(i);
            var type = conditions[i].Str("type") ?? "";
            var status = conditions[i].Str("status") ?? "";
            if (type.Length == 0 && !allowEmpty)
            {
                errors.Add(FieldError.Required(path.Child("type")));
            }

            var allowed = type is ApprovedCondition or DeniedCondition or FailedCondition ? TrueOnly : AllStatuses;
            if (status.Length == 0)
            {
                errors.Add(FieldError.Required(path.Child("status")));
            }
            else if (!allowed.Contains(status))
            {
                errors.Add(FieldError.NotSupported(path.Child("status"), status, allowed));
            }

            if (!allowBoth && (type == ApprovedCondition && denied || type == DeniedCondition && approved))
            {
                errors.Add(FieldError.Invalid(path.Child("type"), type, "Approved and Denied conditions are mutually exclusive"));
            }

            approved |= type == ApprovedCondition;
            denied |= type == DeniedCondition;
            if (!seen.Add(type) && !allowDuplicates)
            {
                errors.Add(FieldError.Duplicate(path.Child("type"), type));
            }
        }
    }

    /// <summary>
    /// Upstream's signer name rule: <c>example.com/signer-name</c>, a domain of DNS-1123 labels with at least one
    /// dot, a path of DNS-1123 subdomains, 571 characters at most.
    /// </summary>
    public static void ValidateSignerName(string path, string signerName, List<FieldError> errors)
    {
        if (signerName.Length == 0)
        {
            errors.Add(FieldError.Required(path, "signerName must be provided"));
            return;
        }

        var segments = signerName.Split('/');
        if (segments.Length != 2)
        {
            errors.Add(FieldError.Invalid(path, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'"));
            return;
        }

        if (segments[0].Length > 253)
        {
            errors.Add(FieldError.TooLong(path, 253));
        }

        var domainLabels = segments[0].Split('.');
        foreach (var label in domainLabels)
        {
            var messages = NameRules.Dns1123Label(label);
            if (messages.Count > 0)
            {
                errors.AddRange(messages.Select(m => FieldError.Invalid(path, segments[0], $"validating label \"{label}\": {m}")));
                break;
            }
        }

        if (domainLabels.Length < 2)
        {
            errors.Add(FieldError.Invalid(path, segments[0], "should be a domain with at least two segments separated by dots"));
        }

        foreach (var label in segments[1].Split('.'))
        {
            var messages = NameRules.Dns1123Subdomain(label);
            if (messages.Count > 0)
            {
                errors.AddRange(messages.Select(m => FieldError.Invalid(path, segments[1], $"validating label \"{label}\": {m}")));
                break;
            }
        }

        const int MaxLength = 253 + 253 + 63 + 1 + 1;
        if (signerName.Length > MaxLength)
        {
            errors.Add(FieldError.TooLong(path, MaxLength));
        }
    }

    /// <summary>Why <c>spec.request</c> (base64 of PEM) is not a signed PKCS#10 request, or null when it is one.</summary>
    public static string? RequestProblem(string? base64)
    {
        if (!TryDecodeBase64(base64, out var bytes))
        {
            return "PEM block type must be CERTIFICATE REQUEST";
        }

        var text = Encoding.ASCII.GetString(bytes);
        if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] != "CERTIFICATE REQUEST")
        {
            return "PEM block type must be CERTIFICATE REQUEST";
        }

        try
        {
            // Loading checks the request's own signature: proof that the requester holds the key.
            CertificateRequest.LoadSigningRequestPem(text[fields.Location], HashAlgorithmName.SHA256);
            return null;
        }
        catch (CryptographicException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>Why <c>status.certificate</c> (base64 of PEM) is not one or more CERTIFICATE blocks, or null.</summary>
    public static string? CertificateProblem(string base64)
    {
        if (base64.Length == 0)
        {
            return null;
        }

        if (!TryDecodeBase64(base64, out var bytes))
        {
            return "must contain at least one CERTIFICATE PEM block";
        }

        var text = Encoding.ASCII.GetString(bytes).AsSpan();
        var blocks = 0;
        while (PemEncoding.TryFind(text, out var fields))
        {
            if (text[fields.Label] is not "CERTIFICATE")
            {
                return $"only CERTIFICATE PEM blocks are allowed, found \"{text[fields.Label]}\"";
            }

            try
            {
                using var _ = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(text[fields.Base64Data].ToString()));
            }
            catch (CryptographicException ex)
            {
                return ex.Message;
            }

            blocks++;
            text = text[fields.Location.End..];
        }

        return blocks == 0 ? "must contain at least one CERTIFICATE PEM block" : null;
    }

    private static bool TryDecodeBase64(string? base64, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrEmpty(base64))
        {
            return false;
        }

        try
        {
            bytes = Convert.FromBase64String(base64);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static List<JsonNode> Conditions(JsonObject? csr, string type) =>
        csr.Obj("status").Arr("conditions")?.OfType<JsonObject>().Where(c => c.Str("type") == type).Select(c => (JsonNode)c).ToList() ?? [];
}
