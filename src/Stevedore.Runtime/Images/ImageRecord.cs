namespace Stevedore.Runtime.Images;

/// <summary>A tag: a fully qualified name pointing at a manifest or index in the content store.</summary>
public sealed class ImageRecord
{
    /// <summary>The canonical reference, e.g. <c>docker.io/library/busybox:latest</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>The manifest or index the name points at.</summary>
    public Descriptor Target { get; set; } = new();

    /// <summary>When the tag was set.</summary>
    public DateTimeOffset Created { get; set; }
}
