using System.Diagnostics;

namespace Stevedore.Runtime.NodeTests;

/// <summary>The project's test images, built once per test run by images/build-test-images.sh.</summary>
public static class TestImages
{
    private static readonly Lazy<string> Built = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The directory holding busybox/, busybox.oci.tar, busybox.docker.tar, pause/ ...</summary>
    public static string Dir => Built.Value;

    public static string BusyboxLayout => Path.Combine(Dir, "busybox");
    public static string BusyboxOciTar => Path.Combine(Dir, "busybox.oci.tar");
    public static string BusyboxDockerTar => Path.Combine(Dir, "busybox.docker.tar");
    public static string PauseLayout => Path.Combine(Dir, "pause");

    /// <summary>The repository root (where images/ lives).</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "images", "build-test-images.sh")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("cannot find images/build-test-images.sh above " + AppContext.BaseDirectory);
        }
    }

    private static string Build()
    {
        // Inside the build output rather than /tmp: rebuilt (identically) on every run, gone with `dotnet clean`.
        var output = Path.Combine(AppContext.BaseDirectory, "test-images");
        var info = new ProcessStartInfo("bash", [Path.Combine(RepoRoot, "images", "build-test-images.sh"), output])
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
