using System.CommandLine;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Stevedore.ApiServer.Hosting;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.ApiServer.Security.Authorization;
using Stevedore.ApiServer.Security.Https;
using Stevedore.ApiServer.Security.Kubeconfig;
using Stevedore.ApiServer.Security.Pki;
using Stevedore.ApiServer.Streaming;
using Stevedore.Client.Connecting;
using Stevedore.Controllers.Host;
using Stevedore.Scheduler.Host;
using Stevedore.Storage;

namespace Stevedore.Commands;

/// <summary><c>stevedore server</c>: the API server, scheduler and controllers (and, later, the agent) in one process.</summary>
public static class ServerCommand
{
    public const string DefaultDataDir = "/var/lib/stevedore/server";

    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "Folder for the database, certificates and kubeconfig", DefaultValueFactory = _ => DefaultDataDir };
        var listen = new Option<string>("--listen") { Description = "Address and port to serve HTTPS on", DefaultValueFactory = _ => "127.0.0.1:6443" };
        var datastore = new Option<string>("--datastore") { Description = "sqlite (embedded, default) or etcd://host:2379,host2:2379", DefaultValueFactory = _ => "sqlite" };
        var disableAgent = new Option<bool>("--disable-agent") { Description = "Run only the control plane, no node agent" };
        var command = new Command("server", "Run the API server with its store") { dataDir, listen, datastore, disableAgent };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new ServerSettings(parse.GetValue(dataDir)!, parse.GetValue(listen)!, parse.GetValue(datastore)!, parse.GetValue(disableAgent));
            return await RunAsync(settings, cancellationToken);
        });
        return command;
    }

    private sealed record ServerSettings(string DataDir, string Listen, string Datastore, bool DisableAgent);

    private static async Task<int> RunAsync(ServerSettings settings, CancellationToken cancellationToken)
    {
        if (!IPEndPoint.TryParse(settings.Listen, out var endpoint) || endpoint.Port == 0 && !settings.Listen.EndsWith(":0", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync($"stevedore: --listen {settings.Listen}: expected ADDRESS:PORT, e.g. 127.0.0.1:6443");
            return 2;
        }

        Directory.CreateDirectory(settings.DataDir);
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(LogLevel.Information)
            // Per-request lines from the web host would cost a quarter of the CPU under load,
            // and the control loops' own watches and lease renewals would flood them.
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning));
        IStore store;
        try
        {
            store = StoreFactory.Open(settings.Datastore, settings.DataDir);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or StoreUnavailableException)
        {
            await Console.Error.WriteLineAsync($"stevedore: --datastore {settings.Datastore}: {ex.Message}");
            return 2;
        }

        await using (store)
        {
            using var certificates = ClusterCertificates.LoadOrCreate(settings.DataDir, [], TimeProvider.System);
            var adminToken = new StaticToken(certificates.AdminToken, new UserInfo("system:admin", null, ["system:masters"]));
            // Operators may add users as lines "token,user,uid,\"group1,group2\"" in DATA/tokens.csv.
            var tokenFile = Path.Combine(settings.DataDir, "tokens.csv");
            var tokens = File.Exists(tokenFile) ? StaticTokenAuthenticator.FromFile(tokenFile, adminToken) : new StaticTokenAuthenticator([adminToken]);
            var bearer = new BearerTokenAuthenticator([tokens]);
            var authorizer = new AllowAuthenticatedAuthorizer();
            // The API server's identity towards kubelets (pod logs, exec, attach, port-forward), issued afresh at every start.
            using var kubeletClientCertificate = certificates.IssueClientCertificate("kube-apiserver-kubelet-client", ["system:masters"], TimeSpan.FromDays(365)).ToX509Certificate2();
            var options = new ApiServerOptions
            {
                KubeletClient = new KubeletClientOptions { ClientCertificate = kubeletClientCertificate },
                Store = store,
                Listen = endpoint,
                ConfigureHttps = listen => listen.UseHttps(https => HttpsSetup.ConfigureHttps(https, certificates)),
                Authenticator = new UnionAuthenticator(new X509ClientCertificateAuthenticator(certificates.ClientCertificateValidator), bearer),
                Reviews = new ReviewResponder(authorizer, authorizer, bearer, TimeProvider.System),
                LoggerFactory = loggerFactory,
            };
            await using var host = await ApiServerHost.StartAsync(options, cancellationToken);
            var kubeconfig = Path.Combine(settings.DataDir, "kubeconfig.yaml");
            var serverUrl = $"https://{(endpoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : endpoint.Address)}:{host.Address.Port}";
            KubeconfigWriter.Write(kubeconfig, serverUrl, certificates.CaPem, certificates.AdminCertificatePem, certificates.AdminKeyPem);
            Console.WriteLine($"Stevedore API server ready on {serverUrl}; admin kubeconfig: {kubeconfig}");

            // The control loops talk to the API like any client; they start after the server
            // answers so the cold start stays fast, and each campaigns for its Lease.
            using var controlPlane = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var client = ClusterConnection.FromKubeconfig(kubeconfig);
            var scheduler = Task.Run(() => SchedulerHost.RunLeaderElectedAsync(client, loggerFactory, controlPlane.Token), CancellationToken.None);
            var controllers = Task.Run(() => new ControllerManager(client, loggerFactory).RunAsync(controlPlane.Token), CancellationToken.None);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }

            await controlPlane.CancelAsync();
            await StopQuietlyAsync(scheduler, "scheduler");
            await StopQuietlyAsync(controllers, "controllers");
        }

        return 0;
    }

    private static async Task StopQuietlyAsync(Task loop, string name)
    {
        try
        {
            await loop.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }
        catch (TimeoutException)
        {
            await Console.Error.WriteLineAsync($"stevedore: the {name} did not stop within 10 s");
        }
        catch (Exception ex)
        {
            await Console.Error.WriteLineAsync($"stevedore: the {name} failed: {ex.Message}");
        }
    }
}
