namespace Stevedore.Network.Cni;

/// <summary>
/// Serializes everything that creates or removes portmap's shared <c>CNI-HOSTPORT-*</c> chains, machine
/// wide. portmap creates them with check-then-create (two concurrent ADDs on a fresh node race, one
/// fails with "File exists"), and a removal of the "unused" chains that lands between a sandbox's chain
/// creation and its first rule breaks that ADD ("Chain 'CNI-HOSTPORT-SETMARK' does not exist"). Agents,
/// benches and test runs on one machine share the chains, so the lock is a flock on a file in
/// <c>/run/lock</c> (released by the kernel if the holder dies) around an in-process semaphore.
/// </summary>
internal static class HostPortChainsLock
{
    private const string LockFile = "/run/lock/stevedore-cni-hostport.lock";

    private static readonly SemaphoreSlim InProcess = new(1, 1);

    /// <summary>Waits for the lock; dispose the result to release it.</summary>
    public static async Task<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        await InProcess.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(LockFile)!);
            while (true)
            {
                try
                {
                    // .NET takes an exclusive flock for FileShare.None and fails at once while another process holds it.
                    return new Held(new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
                }
                catch (IOException)
                {
                    await Task.Delay(5, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            InProcess.Release();
            throw;
        }
    }

    private sealed class Held(FileStream file) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await file.DisposeAsync().ConfigureAwait(false);
            InProcess.Release();
        }
    }
}
