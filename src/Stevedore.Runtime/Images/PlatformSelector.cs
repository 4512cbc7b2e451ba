namespace Stevedore.Runtime.Images;

/// <summary>Chooses the manifest for the machine's platform (linux/amd64 or linux/arm64) from an index.</summary>
public static class PlatformSelector
{
    /// <summary>The OCI architecture name of this process.</summary>
    public static string Architecture => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        _ => "amd64",
    };

    /// <summary><c>linux/&lt;arch&gt;</c>.</summary>
    public static string Current => "linux/" + Architecture;

    /// <summary>The first entry for linux and this architecture; an entry without platform counts as a match.</summary>
    public static Descriptor? Select(ImageIndex index) => Select(index, "linux", Architecture);

    /// <summary>The first entry for the given OS and architecture.</summary>
    public static Descriptor? Select(ImageIndex index, string os, string architecture) =>
        index.Manifests.FirstOrDefault(m => m.Platform is { } p && p.Os == os && p.Architecture == architecture)
        ?? index.Manifests.FirstOrDefault(m => m.Platform is null && MediaTypes.IsManifest(m.MediaType));
}
