using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Informers;
using Stevedore.Network;
using Stevedore.Network.Dns;
using Stevedore.Network.Dns.Server;

namespace Stevedore.Kubelet.Dns;

/// <summary>
/// Cluster DNS on one node, NodeLocal-DNSCache style: the cluster DNS address on a link of its own
/// (so pods' queries are delivered locally), the server bound there on UDP and TCP, and the
/// controller feeding it from the shared informers. <see cref="RunAsync"/> keeps trying to set up
/// the link and bind until it works (logging why not), serves until cancelled, then stops the
/// server and removes the link.
/// </summary>
public sealed partial class NodeDns
{
    private readonly NodeDnsOptions _options;
    private readonly ClusterDnsController _controller;
    private readonly DnsServingLink _link;
    private readonly ILogger _logger;

    /// <summary>Registers the Service and EndpointSlice informers with <paramref name="informers"/> (start the factory afterwards).</summary>
    public NodeDns(SharedInformerFactory informers, NodeDnsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Zone.Validate();
        _options = options;
        _logger = options.LoggerFactory.CreateLogger<NodeDns>();
        _link = new DnsServingLink(options.LinkName);
        _controller = new ClusterDnsController(informers, Records, options.Zone, options.Time, options.LoggerFactory.CreateLogger<ClusterDnsController>());
    }

    /// <summary>The records being served.</summary>
    public DnsRecordStore Records { get; } = new();

    /// <summary>The running server, once bound.</summary>
    public DnsServer? Server { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var controller = Task.Run(() => _controller.RunAsync(cancellationToken), CancellationToken.None);
        try
        {
            while (Server is null && !cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await _link.EnsureAsync(_options.Address, cancellationToken);
                    Server = DnsServer.Start(new DnsServerOptions
                    {
                        Listen = new IPEndPoint(_options.Address, _options.Port),
                        Zone = _options.Zone,
                        Upstream = _options.Upstream,
                        LoggerFactory = _options.LoggerFactory,
                    }, Records);
                }
                catch (Exception ex) when (ex is NetworkCommandException or SocketException or FileNotFoundException)
                {
                    // Not root, no bridge driver, port 53 taken: pods get no DNS until it is fixed; say so and keep trying.
                    LogNotServing(_logger, _options.Address, _options.Port, ex.Message);
                    await Task.Delay(_options.RetryInterval, _options.Time, cancellationToken);
                }
            }

            await controller;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (Server is not null)
            {
                await Server.DisposeAsync();
            }

            await RemoveLinkAsync(_link, _logger);
            await controller.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Removes the serving link (<c>--cleanup</c>); nothing when it is not there.</summary>
    public static Task CleanupAsync(string linkName, CancellationToken cancellationToken) => new DnsServingLink(linkName).RemoveAsync(cancellationToken);

    private static async Task RemoveLinkAsync(DnsServingLink link, ILogger logger)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await link.RemoveAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is NetworkCommandException or OperationCanceledException or FileNotFoundException)
        {
            LogLinkNotRemoved(logger, link.Name, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster DNS not served on {Address}:{Port} yet: {Reason}")]
    private static partial void LogNotServing(ILogger logger, IPAddress address, int port, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove the cluster DNS link {Link}: {Reason}")]
    private static partial void LogLinkNotRemoved(ILogger logger, string link, string reason);
}
