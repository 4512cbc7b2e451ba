namespace Stevedore.ApiServer.Security.ServiceAccounts;

/// <summary>Reads the objects a ServiceAccount token names, so that deleting one revokes the token.</summary>
public interface IBoundObjectGetter
{
    /// <summary>The object's uid and deletion time, or null when it does not exist.</summary>
    /// <param name="resource">"serviceaccounts", "pods", "secrets" or "nodes".</param>
    /// <param name="ns">The namespace; ignored for nodes.</param>
    ValueTask<ObjectState?> GetAsync(string resource, string? ns, string name, CancellationToken cancellationToken);
}
