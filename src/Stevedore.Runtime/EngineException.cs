namespace Stevedore.Runtime;

/// <summary>What kind of failure an <see cref="EngineException"/> reports; the CLI maps it to a one-line error.</summary>
public enum EngineErrorKind
{
    /// <summary>An image, container or blob that does not exist.</summary>
    NotFound,
    /// <summary>Input that can never be valid (bad reference, bad flag, unsafe tar entry).</summary>
    InvalidArgument,
    /// <summary>The operation clashes with current state (name in use, container running).</summary>
    Conflict,
    /// <summary>Content that fails verification (digest mismatch, truncated or corrupt archive).</summary>
    Corrupt,
    /// <summary>The OCI runtime or the kernel refused an operation.</summary>
    Runtime,
    /// <summary>A registry answered with an error.</summary>
    Registry,
}

/// <summary>An expected engine failure with a message fit to show a user as is.</summary>
public sealed class EngineException(EngineErrorKind kind, string message, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The category of the failure.</summary>
    public EngineErrorKind Kind { get; } = kind;
}
