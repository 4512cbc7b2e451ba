using System.Diagnostics;

namespace Stevedore.Kubelet.NodeTests;

/// <summary>The project's test images (images/build-test-images.sh): busybox and pause, built once per test run.</summary>
public static class TestImages
{
    /// <summary>The busybox image under a tag that defaults to imagePullPolicy IfNotPresent.</summary>
    public const string Busybox = "busybox:1.36";

    private static readonly Lazy<string> Built = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string BusyboxTar => Path.Combine(Built.Value, "busybox.oci.tar");

    public static string PauseTar => Path.Combine(Built.Value, "pause.oci.tar");

    private static string Build()
    {
        var root = AppContext.BaseDirectory;
        var dir = new DirectoryInfo(root);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "images", "build-test-images.sh")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException("cannot find images/build-test-images.sh above " + root);
        }

        var output = Path.Combine(root, "test-images");
        using var process = Process.Start(new ProcessStartInfo("bash", [Path.Combine(dir.FullName, "images", "build-test-images.sh"), output])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("build-test-images.sh failed: " + stderr.Result);
        }

        return output;
    }
}
