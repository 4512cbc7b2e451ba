using System.Diagnostics;

namespace Stevedore.Kubelet.NodeTests.Infrastructure;

/// <summary>The project's test images (busybox, pause), built once per test run by images/build-test-images.sh.</summary>
public static class TestImages
{
    private static readonly Lazy<string> Built = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string BusyboxTar => Path.Combine(Built.Value, "busybox.oci.tar");

    public static string PauseTar => Path.Combine(Built.Value, "pause.oci.tar");

    private static string Build()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "images", "build-test-images.sh")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException("cannot find images/build-test-images.sh above " + AppContext.BaseDirectory);
        }

        var output = Path.Combine(AppContext.BaseDirectory, "test-images");
        var info = new ProcessStartInfo("bash", [Path.Combine(root.FullName, "images", "build-test-images.sh"), output])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
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
