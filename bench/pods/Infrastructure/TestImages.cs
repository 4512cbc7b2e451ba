namespace PodsBench.Infrastructure;

/// <summary>The project's busybox and pause images (images/build-test-images.sh), built once into a temp folder.</summary>
public sealed class TestImages(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>OCI image layout folder of an image (busybox, pause).</summary>
    public string Layout(string name) => Path.Combine(Directory, name);

    /// <summary>The same layout as a tarball.</summary>
    public string OciTar(string name) => Path.Combine(Directory, name + ".oci.tar");

    public static async Task<TestImages> BuildAsync(string script, string directory, CancellationToken cancellationToken)
    {
        await Shell.RunAsync("bash", [script, directory], cancellationToken: cancellationToken);
        return new TestImages(directory);
    }
}
