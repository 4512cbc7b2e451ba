using System.CommandLine;
using Stevedore.Kubelet.Logs;

namespace Stevedore.Agent;

/// <summary>
/// The container log rotation flags <c>stevedore server</c> and <c>stevedore agent</c> share, kubelet's
/// containerLogMaxSize and containerLogMaxFiles.
/// </summary>
internal sealed class ContainerLogFlags
{
    public const string DefaultMaxSize = "10Mi";

    public Option<string> MaxSize { get; } = new("--container-log-max-size") { Description = "A container's log is rotated once it is this large (a quantity: 10Mi, 500Ki, 1048576)", DefaultValueFactory = _ => DefaultMaxSize };

    public Option<int> MaxFiles { get; } = new("--container-log-max-files") { Description = "Most log files kept per container, the current one included (at least 2); older rotated files are gzipped", DefaultValueFactory = _ => ContainerLogPolicy.DefaultMaxFiles };

    public IEnumerable<Option> All => [MaxSize, MaxFiles];

    /// <summary>The settings with the flags' values.</summary>
    public AgentSettings ApplyTo(AgentSettings settings, ParseResult parse) => settings with
    {
        ContainerLogMaxSize = parse.GetValue(MaxSize)!,
        ContainerLogMaxFiles = parse.GetValue(MaxFiles),
    };

    /// <summary>What is wrong with the flags' values, or null when they are fine.</summary>
    public static string? Check(AgentSettings settings)
    {
        ContainerLogPolicy.TryParse(settings.ContainerLogMaxSize, settings.ContainerLogMaxFiles, out var problem);
        return problem;
    }

    /// <summary>The kubelet's policy from checked settings.</summary>
    public static ContainerLogPolicy PolicyOf(AgentSettings settings) =>
        ContainerLogPolicy.TryParse(settings.ContainerLogMaxSize, settings.ContainerLogMaxFiles, out var problem)
        ?? throw new ArgumentException(problem);
}
