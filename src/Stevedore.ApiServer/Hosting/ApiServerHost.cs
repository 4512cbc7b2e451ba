using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Registry;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Services;
using Stevedore.ApiServer.Watch;

namespace Stevedore.ApiServer.Hosting;

/// <summary>
/// A running API server: Kestrel on one endpoint, the watch caches, the registry and the REST
/// handler. Start it, read <see cref="Address"/>, dispose it to stop.
/// </summary>
public sealed class ApiServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CacheDispatcher _caches;
    private readonly ServiceNetwork _serviceNetwork;

    private readonly Streaming.KubeletClient _kubelets;

    private ApiServerHost(WebApplication app, CacheDispatcher caches, ServiceNetwork serviceNetwork, Streaming.KubeletClient kubelets, ResourceRegistry registry, Uri address)
    {
        _app = app;
        _caches = caches;
        _serviceNetwork = serviceNetwork;
        _kubelets = kubelets;
        Registry = registry;
        Address = address;
    }

    public Uri Address { get; }

    public ResourceRegistry Registry { get; }

    public static async Task<ApiServerHost> StartAsync(ApiServerOptions options, CancellationToken cancellationToken)
    {
        var catalog = ResourceCatalog.CreateBuiltIn();
        var logger = options.LoggerFactory.CreateLogger("Stevedore.ApiServer");
        var caches = new CacheDispatcher(options.Store, catalog.All, logger);
        await caches.StartAsync(cancellationToken);

        var serviceNetwork = ServiceNetwork.Start(options.ServiceCidr, options.ServiceNodePortRange, catalog, caches, logger);
        var registry = new ResourceRegistry(catalog, options.Store, caches, new BuiltInObjectPolicy(), new BuiltInPatchEngine())
        {
            Allocator = serviceNetwork.Allocator,
        };
        registry.Admission = Admission.AdmissionPlugins.Create(options.AdmissionPlugins, registry, options.Time);
        await Bootstrap.EnsureDefaultNamespacesAsync(registry, catalog, options.Time, cancellationToken);
        if (options.ClusterDnsService is { } clusterDns)
        {
            await ClusterDnsService.EnsureAsync(registry, clusterDns, options.Time, logger, cancellationToken);
        }

        var openApi = new OpenApi.OpenApiDocuments(catalog);
        var ready = true;
        var kubelets = new Streaming.KubeletClient(options.KubeletClient);
        var handler = new ApiHandler(new ApiHandlerDependencies(
            catalog, registry, new BuiltInTableConverter(), openApi, options.Reviews,
            options.Authenticator.AuthenticateAsync, () => ready, options.Time, logger, options.ServiceAccountTokens)
        {
            Kubelets = kubelets,
            ClusterCaPem = options.ClusterCaPem,
            Authorizer = options.Authorizer,
        });

        // No configuration reload: it would put an inotify watch on every folder under the
        // working directory, which costs seconds and megabytes when started from a large tree.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(options.LoggerFactory);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = RequestBody.MaxBytes + 1;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            kestrel.Listen(options.Listen, listen =>
            {
                listen.Protocols = options.ConfigureHttps is null ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1AndHttp2;
                options.ConfigureHttps?.Invoke(listen);
            });
        });
        var app = builder.Build();
        app.Run(handler.HandleAsync);
        await app.StartAsync(cancellationToken);

        // Documents are built on first use; warm them once serving has started so kubectl's first call does not wait.
        _ = Task.Run(() =>
        {
            _ = (openApi.V2Protobuf, openApi.V3Index, openApi.V2Json);
            // Building them reads ~25 MB of model docs that are garbage afterwards; give it back.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }, CancellationToken.None);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        var advertise = ServiceNetwork.AdvertiseAddress(options.AdvertiseAddress, options.Listen.Address);
        await serviceNetwork.StartKubernetesServiceAsync(registry, advertise, uri.Port, options.Time, logger, cancellationToken);
        return new ApiServerHost(app, caches, serviceNetwork, kubelets, registry, uri);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _serviceNetwork.DisposeAsync();
        await _caches.DisposeAsync();
        _kubelets.Dispose();
    }
}
