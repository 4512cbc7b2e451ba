namespace Stevedore.Kubelet.Server;

/// <summary>
/// Joins two upgraded connections byte for byte. When one direction ends, the other gets a few
/// seconds to finish (the client usually closes right after the server's last bytes), then both close.
/// </summary>
internal static class StreamSplice
{
    private static readonly TimeSpan DrainTime = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(Stream client, Stream backend, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var up = CopyAsync(client, backend, stop.Token);
        var down = CopyAsync(backend, client, stop.Token);
        var first = await Task.WhenAny(up, down);
        var other = first == up ? down : up;
        await Task.WhenAny(other, Task.Delay(DrainTime, stop.Token)).ContinueWith(static _ => { }, TaskScheduler.Default);
        await stop.CancelAsync();
        await backend.DisposeAsync();
        await client.DisposeAsync();
        await Task.WhenAll(up, down);
    }

    private static async Task CopyAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                await to.FlushAsync(cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // One side went away; the splice ends.
        }
    }
}
