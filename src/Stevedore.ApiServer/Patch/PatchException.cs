namespace Stevedore.ApiServer.Patch;

/// <summary>
/// A patch could not be applied. <see cref="Exception.Message"/> is meant for the user and goes
/// into the <c>Status</c> body; <see cref="Failure"/> chooses 400 or 422.
/// </summary>
public sealed class PatchException : Exception
{
    public PatchException(string message, PatchFailure failure = PatchFailure.Unprocessable)
        : base(message) => Failure = failure;

    public PatchException(string message, Exception innerException)
        : base(message, innerException) => Failure = PatchFailure.BadRequest;

    public PatchException()
        : this("patch failed")
    {
    }

    public PatchFailure Failure { get; }
}
