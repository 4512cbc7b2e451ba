using Stevedore.ApiServer.Registry;

namespace Stevedore.ApiServer.Admission;

/// <summary>
/// The one list of built-in admission plugins, by name. NamespaceLifecycle is not here: the registry
/// always enforces it (see <c>ResourceRegistry.CheckNamespaceAcceptsAsync</c>).
/// </summary>
public static class AdmissionPlugins
{
    /// <summary>Every plugin this server knows, in the order they run.</summary>
    public static readonly IReadOnlyList<string> BuiltIn = [ServiceAccountAdmission.PluginName];

    /// <summary>The plugins named in <paramref name="enabled"/>, in <see cref="BuiltIn"/> order.</summary>
    /// <exception cref="ArgumentException">A name is not a built-in plugin.</exception>
    public static IReadOnlyList<IAdmissionPlugin> Create(IEnumerable<string> enabled, ResourceRegistry registry, TimeProvider time)
    {
        var names = enabled.ToHashSet(StringComparer.Ordinal);
        if (names.FirstOrDefault(n => !BuiltIn.Contains(n, StringComparer.Ordinal)) is { } unknown)
        {
            throw new ArgumentException($"unknown admission plugin \"{unknown}\"; known: {string.Join(", ", BuiltIn)}", nameof(enabled));
        }

        var plugins = new List<IAdmissionPlugin>();
        foreach (var name in BuiltIn.Where(names.Contains))
        {
            plugins.Add(name switch
            {
                ServiceAccountAdmission.PluginName => new ServiceAccountAdmission(registry, time),
                _ => throw new InvalidOperationException($"admission plugin {name} has no factory"),
            });
        }

        return plugins;
    }
}
