using System.Text.Json.Nodes;
using Stevedore.ApiServer.Registry;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Admission;

/// <summary>
/// A built-in mutating admission plugin. The registry calls every enabled plugin on create, after
/// defaulting and before validation, as upstream's admission chain sits between decoding and storage.
/// </summary>
public interface IAdmissionPlugin
{
    /// <summary>The plugin's upstream name, as <c>--enable-admission-plugins</c> spells it.</summary>
    string Name { get; }

    /// <summary>Mutates <paramref name="obj"/> in place, or throws an <see cref="Http.ApiException"/> to refuse it.</summary>
    /// <param name="ns">The object's namespace; null for cluster-scoped resources.</param>
    ValueTask AdmitCreateAsync(ApiResource resource, string? ns, JsonObject obj, WriteOptions options, CancellationToken cancellationToken);
}
