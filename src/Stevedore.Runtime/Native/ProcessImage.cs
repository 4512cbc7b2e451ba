using System.Runtime.InteropServices;
using System.Text;

namespace Stevedore.Runtime.Native;

/// <summary>
/// execve(2) for a process that must restart itself with another environment: some runtime settings
/// (the GC's, for one) are read once at start-up, from the environment or the shared runtimeconfig only.
/// </summary>
public static partial class ProcessImage
{
    /// <summary>This process's own argv, exactly as it was started (the executable's path first).</summary>
    public static IReadOnlyList<string> OwnArguments()
    {
        var raw = File.ReadAllBytes("/proc/self/cmdline");
        var text = Encoding.UTF8.GetString(raw).TrimEnd('\0');
        return text.Split('\0');
    }

    /// <summary>
    /// Replaces this process with <paramref name="path"/> run with <paramref name="arguments"/> (argv, its
    /// first element included) and <paramref name="environment"/> (NAME=value). The pid, the parent and the
    /// standard streams stay. Returns only on failure, by throwing.
    /// </summary>
    public static void Replace(string path, IReadOnlyList<string> arguments, IReadOnlyList<string> environment)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // Both vectors end with a null pointer, as execve wants.
        Execve(path, [.. arguments, null], [.. environment, null]);
        throw new IOException($"execve {path}: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execve(string path, string?[] argv, string?[] envp);
}
