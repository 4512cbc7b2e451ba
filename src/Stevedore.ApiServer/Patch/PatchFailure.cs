namespace Stevedore.ApiServer.Patch;

/// <summary>Why a patch failed, so the HTTP layer can pick the status code.</summary>
public enum PatchFailure
{
    /// <summary>The patch document itself is malformed (HTTP 400 BadRequest).</summary>
    BadRequest,

    /// <summary>The patch is well formed but cannot be applied to this object (HTTP 422 Invalid).</summary>
    Unprocessable,
}
