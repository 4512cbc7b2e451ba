namespace Stevedore.ApiServer.Registry;

/// <summary>Per-request write settings: who writes (field manager), dry run, and the clock reading.</summary>
public sealed record WriteOptions(string FieldManager, bool DryRun, DateTimeOffset Now, string? Subresource = null)
{
    /// <summary>The authenticated requester; kinds that record who asked (CertificateSigningRequest) read it on create.</summary>
    public Security.Authentication.UserInfo? User { get; init; }
}

/// <summary>DeleteOptions as the API accepts them in the body or query.</summary>
public sealed record DeleteOptions(long? GracePeriodSeconds, string? PropagationPolicy, string? PreconditionUid, string? PreconditionResourceVersion, bool DryRun);
