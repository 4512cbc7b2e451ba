namespace Stevedore.Runtime.Images;

/// <summary>
/// A parsed image reference with Docker's defaults applied: registry <c>docker.io</c>, the
/// <c>library/</c> namespace for single-component names on Docker Hub, and tag <c>latest</c>
/// when neither tag nor digest is given.
/// </summary>
public sealed record ImageReference(string Registry, string Repository, string? Tag, string? Digest)
{
    /// <summary>The default registry host.</summary>
    public const string DefaultRegistry = "docker.io";

    /// <summary><c>registry/repository</c>.</summary>
    public string Name => $"{Registry}/{Repository}";

    /// <summary>The canonical string: <c>registry/repository[:tag][@digest]</c>.</summary>
    public override string ToString() => Name + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    /// <summary>The tag or digest, as used in the manifest URL.</summary>
    public string Reference => Digest ?? Tag ?? "latest";

    /// <summary>The host to contact: Docker Hub's API host for <c>docker.io</c>.</summary>
    public string RegistryHost => Registry == DefaultRegistry ? "registry-1.docker.io" : Registry;

    /// <summary>Parses a reference; throws <see cref="EngineException"/> (InvalidArgument) with the reason.</summary>
    public static ImageReference Parse(string text)
    {
        if (!TryParse(text, out var reference, out var error))
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, $"invalid reference \"{text}\": {error}");
        }

        return reference!;
    }

    /// <summary>Parses a reference without throwing.</summary>
    public static bool TryParse(string text, out ImageReference? reference, out string error)
    {
        reference = null;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "empty reference";
            return false;
        }

        var rest = text;
        string? digest = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
            if (!Content.Digest.TryParse(digest, out _))
            {
                error = "digest must be sha256:<64 lowercase hex digits>";
                return false;
            }
        }

        string? tag = null;
        var lastSlash = rest.LastIndexOf('/');
        var colon = rest.LastIndexOf(':');
        if (colon > lastSlash)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (!IsValidTag(tag))
            {
                error = $"invalid tag \"{tag}\"";
                return false;
            }
        }

        string registry;
        string repository;
        var firstSlash = rest.IndexOf('/', StringComparison.Ordinal);
        var first = firstSlash < 0 ? "" : rest[..firstSlash];
        // Like Docker: the first component is a host only if it has a dot or a port, or is localhost.
        if (firstSlash >= 0 && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost"))
        {
            registry = first;
            repository = rest[(firstSlash + 1)..];
        }
        else
        {
            registry = DefaultRegistry;
            repository = rest;
        }

        if (registry is "index.docker.io" or "registry-1.docker.io")
        {
            registry = DefaultRegistry;
        }

        if (registry == DefaultRegistry && !repository.Contains('/', StringComparison.Ordinal))
        {
            repository = "library/" + repository;
        }

        if (!IsValidRepository(repository))
        {
            error = "repository name must be lowercase letters, digits and separators (., _, __, -) in path components";
            return false;
        }

        if (tag is null && digest is null)
        {
            tag = "latest";
        }

        reference = new ImageReference(registry, repository, tag, digest);
        return true;
    }

    private static bool IsValidTag(string tag) =>
        tag.Length is > 0 and <= 128
        && (char.IsAsciiLetterOrDigit(tag[0]) || tag[0] == '_')
        && tag.All(static c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    private static bool IsValidRepository(string repository)
    {
        if (repository.Length == 0)
        {
            return false;
        }

        foreach (var component in repository.Split('/'))
        {
            if (component.Length == 0
                || !char.IsAsciiLetterLower(component[0]) && !char.IsAsciiDigit(component[0])
                || !char.IsAsciiLetterLower(component[^1]) && !char.IsAsciiDigit(component[^1])
                || !component.All(static c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
