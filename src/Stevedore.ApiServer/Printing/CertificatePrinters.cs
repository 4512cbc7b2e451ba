using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Printing;

/// <summary>certificates.k8s.io: CertificateSigningRequests as <c>kubectl get csr</c> shows them.</summary>
internal static class CertificatePrinters
{
    public static readonly KindPrinter CertificateSigningRequest = new(
    [
        Columns.Name,
        Columns.Age,
        Columns.Text("SignerName", "signerName indicates the requested signer, and is a qualified name."),
        Columns.Text("Requestor", "username contains the name of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable."),
        Columns.Text("RequestedDuration", "expirationSeconds is the requested duration of validity of the issued certificate."),
        Columns.Text("Condition", "conditions applied to the request. Known conditions are \"Approved\", \"Denied\", and \"Failed\"."),
    ], (o, now) =>
    [
        Meta.Name(o),
        Meta.Age(o, now),
        o.Str("spec", "signerName") is { Length: > 0 } signer ? signer : "<none>",
        o.S("spec", "username"),
        o.Long("spec", "expirationSeconds") is { } seconds ? HumanDuration.Format(TimeSpan.FromSeconds(seconds)) : "<none>",
        Condition(o),
    ]);

    /// <summary>Denied, else Approved, else Pending; then Failed and Issued when they apply (upstream's order).</summary>
    public static string Condition(JsonObject csr)
    {
        var types = csr.Items("status", "conditions").Select(c => c.S("type")).ToHashSet(StringComparer.Ordinal);
        var text = types.Contains("Denied") ? "Denied" : types.Contains("Approved") ? "Approved" : "Pending";
        if (types.Contains("Failed"))
        {
            text += ",Failed";
        }

        if (csr.Str("status", "certificate") is { Length: > 0 })
        {
            text += ",Issued";
        }

        return text;
    }
}
