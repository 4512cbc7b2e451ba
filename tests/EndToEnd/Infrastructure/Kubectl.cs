namespace EndToEnd.Infrastructure;

/// <summary>One installed kubectl release (1.27–1.33 live at /usr/lib/google-cloud-sdk/bin/kubectl.1.NN) bound to a kubeconfig.</summary>
public sealed class Kubectl(string version, string kubeconfig)
{
    public string Version { get; } = version;

    public string Binary { get; } = $"/usr/lib/google-cloud-sdk/bin/kubectl.{version}";

    public Task<ProcessResult> RunAsync(params string[] arguments) => RunAsync(arguments, null);

    public string Kubeconfig { get; } = kubeconfig;

    public Task<ProcessResult> RunAsync(IEnumerable<string> arguments, string? standardInput, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var variables = new Dictionary<string, string> { ["KUBECONFIG"] = Kubeconfig, ["HOME"] = Path.GetDirectoryName(Kubeconfig)! };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            variables[name] = value;
        }

        return ProcessRunner.RunAsync(Binary, arguments, variables, standardInput, timeout);
    }

    /// <summary>Runs and asserts success, returning standard output.</summary>
    public async Task<string> OkAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Xunit.Assert.True(result.ExitCode == 0, $"kubectl.{Version} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Combined}");
        return result.StandardOutput.TrimEnd();
    }

    /// <summary>Runs with a manifest on standard input (<c>-f -</c>) and asserts success.</summary>
    public async Task<string> OkWithInputAsync(string manifest, params string[] arguments)
    {
        var result = await RunAsync(arguments, manifest);
        Xunit.Assert.True(result.ExitCode == 0, $"kubectl.{Version} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Combined}");
        return result.StandardOutput.TrimEnd();
    }
}
