using Stevedore.Client.Informers;

namespace Stevedore.Controllers.Host;

/// <summary>One controller of the <see cref="ControllerManager"/>: registers its informer handlers, then runs its workers.</summary>
public interface IController
{
    /// <summary>The controller's name, for logs.</summary>
    string Name { get; }

    /// <summary>Asks the factory for the informers it needs and adds handlers that only enqueue keys.</summary>
    void Register(SharedInformerFactory informers);

    /// <summary>Runs the workers until cancelled (called after every informer has synced).</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
