using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stevedore.Network.Cni;

/// <summary>
/// Runs one CNI plugin binary the way the CNI spec says: configuration on stdin, parameters in CNI_*
/// environment variables, a result or an error object on stdout, logs on stderr.
/// </summary>
internal sealed class CniPluginExec(IReadOnlyList<string> pluginDirs)
{
    /// <summary>The directories searched for plugin binaries, in order (also passed as CNI_PATH).</summary>
    public IReadOnlyList<string> PluginDirs { get; } = pluginDirs;

    /// <summary>The plugin binary for <paramref name="type"/>.</summary>
    /// <exception cref="CniException">No directory holds it.</exception>
    public string Find(string type, string command)
    {
        foreach (var dir in PluginDirs)
        {
            var candidate = Path.Combine(dir, type);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new CniException(type, command, 0, $"failed to find plugin \"{type}\" in path [{string.Join(' ', PluginDirs)}]", "install containernetworking-plugins or pass the plugin directory (--cni-bin-dir)");
    }

    /// <summary>
    /// Runs the plugin and returns what it printed on success (null when it printed nothing, as DEL and
    /// CHECK may); a non-zero exit becomes a <see cref="CniException"/> carrying the plugin's error object.
    /// </summary>
    public async Task<string?> RunAsync(string type, string command, JsonObject stdin, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(Find(type, command))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new CniException(type, command, 0, $"cannot start {info.FileName}: {ex.Message}", "");
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(Encoding.UTF8.GetBytes(stdin.ToJsonString()), cancellationToken);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The plugin exited without reading its configuration; its exit status says why.
            }

            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            var output = await stdout;
            var errors = await stderr;
            if (process.ExitCode == 0)
            {
                return string.IsNullOrWhiteSpace(output) ? null : output;
            }

            throw ErrorOf(type, command, process.ExitCode, output, errors);
        }
    }

    /// <summary>The exception for a failed plugin: its CNI error object if it wrote one, else what it printed.</summary>
    public static CniException ErrorOf(string type, string command, int exitCode, string stdout, string stderr)
    {
        try
        {
            if (JsonNode.Parse(stdout) is JsonObject error && error["msg"] is not null)
            {
                return new CniException(
                    type,
                    command,
                    error["code"]?.GetValue<int>() ?? 0,
                    error["msg"]!.GetValue<string>(),
                    error["details"]?.GetValue<string>() ?? "");
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            // Not an error object: fall through to the raw output.
        }

        var text = stderr.Trim().Length > 0 ? stderr.Trim() : stdout.Trim();
        return new CniException(type, command, 0, text.Length > 0 ? text : $"exit status {exitCode}", "");
    }
}
