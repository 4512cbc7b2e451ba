using System.Runtime.CompilerServices;
using Stevedore.Network.Netns;
using Stevedore.Runtime.Cri;

namespace Stevedore.Cri.NodeTests;

/// <summary>
/// Sandboxes without a pause container pin their namespaces in the engine's default folder, which the first pin
/// turns into a shared mount (as `ip netns` does with /run/netns). Once every test of this assembly is done and
/// the folder is empty again, that mount goes too, so a run leaves the machine as it found it.
/// </summary>
internal static class PodNamespaceDirRelease
{
    [ModuleInitializer]
    internal static void AtExit() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        try
        {
            NetworkNamespace.ReleaseSharedMount(CriNetworkOptions.DefaultPodNamespaceDir);
        }
        catch (IOException)
        {
            // Best effort at exit; the next run's clean-up tries again.
        }
    };
}
