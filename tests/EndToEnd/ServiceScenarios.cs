using System.Net.Http;
using EndToEnd.Infrastructure;

namespace EndToEnd;

/// <summary>
/// Services, the service proxy and cluster DNS, end to end (issue 6's "must show"): the published
/// <c>stevedore server</c> with its node agent (real runc pods on the CNI bridge, the nftables service proxy,
/// cluster DNS on 10.43.0.10), driven by real kubectl 1.32. One server and one namespace for the class
/// (<see cref="ServiceScenariosFixture"/>): two busybox httpd pods whose page names the pod, a client pod, and the
/// Services the tests query. All traffic stays between pods and this machine's own addresses.
/// </summary>
public sealed class ServiceScenarios(ServiceScenariosFixture cluster) : IClassFixture<ServiceScenariosFixture>
{
    private string Ns => cluster.Namespace;

    private Kubectl K => cluster.Server.Kubectl();

    [Fact]
    public async Task ClusterIpService_AnswersByShortNameNamespaceFqdnAndIp_AndSpreadsOverBothPods()
    {
        var clusterIp = await K.OkAsync("get", "service", "my-svc", "-n", Ns, "-o", "jsonpath={.spec.clusterIP}");
        Assert.Matches(@"^10\.43\.\d+\.\d+$", clusterIp);

        foreach (var host in new[] { "my-svc", $"my-svc.{Ns}", $"my-svc.{Ns}.svc.cluster.local", clusterIp })
        {
            var page = await cluster.FetchAsync($"http://{host}:80/");
            Assert.Contains(page, cluster.WebPods);
        }

        var seen = await cluster.FetchManyAsync("http://my-svc:80/", 30);
        Assert.Equal(cluster.WebPods.Order(), seen.Distinct().Order());
    }

    [Fact]
    public async Task HairpinTraffic_APodReachesItsOwnService_IncludingItself()
    {
        var self = cluster.WebPods[0];
        var seen = await cluster.FetchManyAsync("http://my-svc:80/", 30, fromPod: self);
        Assert.Contains(self, seen);
        Assert.Equal(cluster.WebPods.Order(), seen.Distinct().Order());
    }

    [Fact]
    public async Task EndpointSlice_ListsBothPods_NotReadyPodLeavesItAndStopsGettingTraffic()
    {
        Assert.Equal(cluster.WebPodIps.Values.Order(), (await ReadySliceAddressesAsync("my-svc")).Order());

        var (victim, survivor) = (cluster.WebPods[0], cluster.WebPods[1]);
        // The readiness probe fetches the index: without it the pod turns not-ready.
        await K.OkAsync("exec", "-n", Ns, victim, "--", "rm", "/www/index.html");
        try
        {
            await Scenario.EventuallyAsync(async () => (await ReadySliceAddressesAsync("my-svc")).SequenceEqual([cluster.WebPodIps[survivor]]),
                $"only {survivor} ready in my-svc's EndpointSlice", () => K.OkAsync("get", "endpointslices", "-n", Ns, "-o", "yaml"), seconds: 60);
            Assert.Equal("False", await K.OkAsync("get", "pod", victim, "-n", Ns, "-o", """jsonpath={.status.conditions[?(@.type=="Ready")].status}"""));

            // The proxy syncs within a moment of the slice change; then every request lands on the survivor.
            await Scenario.EventuallyAsync(async () => (await cluster.FetchManyAsync("http://my-svc:80/", 5)).All(p => p == survivor),
                "requests only reaching the ready pod", seconds: 30);
            Assert.All(await cluster.FetchManyAsync("http://my-svc:80/", 20), p => Assert.Equal(survivor, p));
        }
        finally
        {
            await K.RunAsync("exec", "-n", Ns, victim, "--", "sh", "-c", "hostname > /www/index.html");
            await Scenario.EventuallyAsync(async () => (await ReadySliceAddressesAsync("my-svc")).Count == 2, "both pods ready again", seconds: 60);
        }
    }

    [Fact]
    public async Task NodePort_AnswersOnTheNodeAddress()
    {
        var nodePort = await K.OkAsync("get", "service", "my-svc", "-n", Ns, "-o", "jsonpath={.spec.ports[0].nodePort}");
        Assert.InRange(int.Parse(nodePort, System.Globalization.CultureInfo.InvariantCulture), 30000, 32767);
        // The node reports InternalIP 127.0.0.1 (loopback, which node ports skip, as upstream); the node's address on
        // the pod network is the bridge's gateway, which pods use as their default route.
        var internalIp = await K.OkAsync("get", "node", cluster.Server.NodeName, "-o", """jsonpath={.status.addresses[?(@.type=="InternalIP")].address}""");
        Assert.Equal("127.0.0.1", internalIp);
        var gateway = cluster.Gateway;

        var fromPod = await cluster.FetchManyAsync($"http://{gateway}:{nodePort}/", 20);
        Assert.Equal(cluster.WebPods.Order(), fromPod.Distinct().Order());

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var fromNode = (await http.GetStringAsync($"http://{gateway}:{nodePort}/")).Trim();
        Assert.Contains(fromNode, cluster.WebPods);
    }

    [Fact]
    public async Task HeadlessService_ResolvesToPodIps_AndHostnameSubdomainResolves()
    {
        var headless = await cluster.LookupAsync($"web-headless.{Ns}.svc.cluster.local");
        Assert.Equal(cluster.WebPodIps.Values.Order(), AddressesIn(headless).Order());

        var clientIp = await K.OkAsync("get", "pod", "client", "-n", Ns, "-o", "jsonpath={.status.podIP}");
        var identity = await cluster.LookupAsync($"client-host.sub.{Ns}.svc.cluster.local");
        Assert.Equal([clientIp], AddressesIn(identity));
        // Through the pod's search path as well, with libc's resolver (busybox nslookup never searches dotted names):
        // ping names the address it resolved in its first line, whether or not a reply comes.
        var ping = await K.RunAsync("exec", "-n", Ns, "client", "--", "sh", "-c", "timeout 10 ping -c 1 -W 2 client-host.sub 2>&1 | head -n 1");
        Assert.Contains($"PING client-host.sub ({clientIp})", ping.StandardOutput);
    }

    [Fact]
    public async Task ExternalName_ResolvesAsCname_AndSrvAnswersForTheNamedPort()
    {
        var clusterIp = await K.OkAsync("get", "service", "my-svc", "-n", Ns, "-o", "jsonpath={.spec.clusterIP}");
        var alias = await cluster.LookupAsync($"alias.{Ns}.svc.cluster.local");
        Assert.Contains($"canonical name = my-svc.{Ns}.svc.cluster.local", alias);
        Assert.Equal([clusterIp], AddressesIn(alias));

        var srv = await cluster.LookupAsync($"_http._tcp.my-svc.{Ns}.svc.cluster.local", "SRV");
        Assert.Matches($@"service = \d+ \d+ 80 my-svc\.{Ns}\.svc\.cluster\.local", srv);
    }

    [Fact]
    public async Task SessionAffinityClientIp_KeepsTheClientOnOnePod()
    {
        var seen = await cluster.FetchManyAsync("http://sticky:80/", 20);
        Assert.Equal(20, seen.Count);
        Assert.Single(seen.Distinct());
        Assert.Contains(seen[0], cluster.WebPods);
    }

    [Fact]
    public async Task DeletingAService_RemovesItsRules_AndConnectionsFail()
    {
        var manifest = """
            apiVersion: v1
            kind: Service
            metadata:
              name: doomed
            spec:
              selector: {app: web}
              ports: [{name: http, port: 8081, targetPort: 8080}]
            """;
        await K.OkWithInputAsync(manifest, "apply", "-n", Ns, "-f", "-");
        var clusterIp = await K.OkAsync("get", "service", "doomed", "-n", Ns, "-o", "jsonpath={.spec.clusterIP}");
        await Scenario.EventuallyAsync(async () => (await NftProxyTableAsync()).Contains(clusterIp + " ", StringComparison.Ordinal),
            $"the proxy table naming {clusterIp}", seconds: 30);
        await Scenario.EventuallyAsync(async () => (await cluster.TryFetchAsync($"http://{clusterIp}:8081/")) is { } page && cluster.WebPods.Contains(page),
            "doomed answering on its cluster IP", seconds: 30);

        await K.OkAsync("delete", "service", "doomed", "-n", Ns);

        await Scenario.EventuallyAsync(async () => !(await NftProxyTableAsync()).Contains(clusterIp + " ", StringComparison.Ordinal),
            $"{clusterIp} gone from the proxy table", NftProxyTableAsync, seconds: 30);
        Assert.Null(await cluster.TryFetchAsync($"http://{clusterIp}:8081/"));
    }

    private async Task<List<string>> ReadySliceAddressesAsync(string service)
    {
        var text = await K.OkAsync("get", "endpointslices", "-n", Ns, "-l", "kubernetes.io/service-name=" + service, "-o",
            """jsonpath={range .items[*].endpoints[*]}{.addresses[0]} {.conditions.ready}{"\n"}{end}""");
        return [.. Scenario.Lines(text).Select(l => l.Split(' ')).Where(f => f.Length == 2 && f[1] == "true").Select(f => f[0])];
    }

    private static async Task<string> NftProxyTableAsync()
    {
        var table = await ProcessRunner.RunAsync("nft", ["list", "table", "ip", AgentMachine.AgentProxyTable], timeout: TimeSpan.FromSeconds(30));
        Assert.True(table.ExitCode == 0, "nft list table failed: " + table.Combined);
        return table.StandardOutput;
    }

    /// <summary>The IPv4 addresses busybox nslookup printed for the name (after its "Name:" line; the server's own address comes before).</summary>
    private static List<string> AddressesIn(string nslookup) =>
        [.. nslookup.Split('\n').SkipWhile(l => !l.StartsWith("Name:", StringComparison.Ordinal))
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^Address:\s*(\d+\.\d+\.\d+\.\d+)"))
            .Where(m => m.Success).Select(m => m.Groups[1].Value)];
}

/// <summary>
/// The agent-enabled server and one namespace holding: Deployment <c>web</c> (2 busybox httpd pods on :8080, page =
/// pod name, readiness probe fetching it), pod <c>client</c> (hostname <c>client-host</c>, subdomain <c>sub</c>),
/// and the Services my-svc (NodePort, named port http 80 → http), sticky (ClientIP affinity), web-headless,
/// sub (headless, selecting the client) and alias (ExternalName → my-svc's FQDN).
/// </summary>
public sealed class ServiceScenariosFixture : IAsyncLifetime
{
    private const string Image = "busybox:1.36";

    public AgentServer Server { get; private set; } = null!;

    public string Namespace { get; private set; } = "";

    /// <summary>The two web pods' names (each serves its own name).</summary>
    public List<string> WebPods { get; private set; } = [];

    public Dictionary<string, string> WebPodIps { get; private set; } = [];

    /// <summary>The bridge's address: the node's address on the pod network.</summary>
    public string Gateway { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Server = await AgentServer.StartAsync();
        var k = Server.Kubectl();
        Namespace = await Server.NamespaceAsync();
        var manifest = $$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: 2
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: web
                    image: {{Image}}
                    imagePullPolicy: IfNotPresent
                    command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]
                    ports: [{name: http, containerPort: 8080}]
                    readinessProbe:
                      httpGet: {path: /index.html, port: 8080}
                      periodSeconds: 1
                      failureThreshold: 1
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: client
              labels: {role: client}
            spec:
              hostname: client-host
              subdomain: sub
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: {{Image}}
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: my-svc
            spec:
              type: NodePort
              selector: {app: web}
              ports: [{name: http, port: 80, targetPort: http}]
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: sticky
            spec:
              selector: {app: web}
              sessionAffinity: ClientIP
              ports: [{name: http, port: 80, targetPort: 8080}]
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: web-headless
            spec:
              clusterIP: None
              selector: {app: web}
              ports: [{name: http, port: 8080}]
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: sub
            spec:
              clusterIP: None
              selector: {role: client}
              ports: [{name: none, port: 1}]
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: alias
            spec:
              type: ExternalName
              externalName: my-svc.{{Namespace}}.svc.cluster.local
            """;
        await k.OkWithInputAsync(manifest, "apply", "-n", Namespace, "-f", "-");
        await Scenario.RolloutStatusAsync(k, Namespace, "web");
        var wait = await k.RunAsync(["wait", "pod/client", "-n", Namespace, "--for=condition=Ready", "--timeout=150s"], null, TimeSpan.FromSeconds(170));
        Assert.True(wait.ExitCode == 0, "client pod not Ready: " + wait.Combined);

        var pods = Scenario.Lines(await k.OkAsync("get", "pods", "-n", Namespace, "-l", "app=web", "-o",
            """jsonpath={range .items[*]}{.metadata.name} {.status.podIP}{"\n"}{end}""")).Select(l => l.Split(' ')).ToList();
        Assert.Equal(2, pods.Count);
        WebPods = [.. pods.Select(p => p[0])];
        WebPodIps = pods.ToDictionary(p => p[0], p => p[1]);

        var route = await k.OkAsync("exec", "-n", Namespace, "client", "--", "ip", "-4", "route", "show", "default");
        Gateway = System.Text.RegularExpressions.Regex.Match(route, @"default via (\d+\.\d+\.\d+\.\d+)").Groups[1].Value;
        Assert.True(Gateway.Length > 0, "no default route in the client pod: " + route);
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>One request from the client pod; asserts it answers and returns the page (a pod name).</summary>
    public async Task<string> FetchAsync(string url)
    {
        var page = await TryFetchAsync(url);
        Assert.True(page is not null, $"{url} did not answer from the client pod: {await DiagnosticsAsync()}");
        return page!;
    }

    /// <summary>One request from the client pod (bounded by 10 s); null when it fails.</summary>
    public async Task<string?> TryFetchAsync(string url)
    {
        var result = await Server.Kubectl().RunAsync("exec", "-n", Namespace, "client", "--", "timeout", "10", "wget", "-qO-", url);
        return result.ExitCode == 0 ? result.StandardOutput.Trim() : null;
    }

    /// <summary><paramref name="count"/> requests from the client pod in one exec (a fresh connection each); asserts all answered.</summary>
    public async Task<List<string>> FetchManyAsync(string url, int count, string fromPod = "client")
    {
        var script = $"for i in $(seq 1 {count}); do timeout 10 wget -qO- {url} || echo FAILED; done";
        var output = await Server.Kubectl().OkAsync("exec", "-n", Namespace, fromPod, "--", "sh", "-c", script);
        var pages = Scenario.Lines(output);
        Assert.True(pages.Count == count && !pages.Contains("FAILED"), $"{url}: {output}\n{await DiagnosticsAsync()}");
        return pages;
    }

    /// <summary>busybox nslookup from the client pod (through its resolv.conf, so cluster DNS); asserts success.</summary>
    public async Task<string> LookupAsync(string name, string? type = null)
    {
        string[] command = type is null ? ["nslookup", name] : ["nslookup", "-type=" + type, name];
        var result = await Server.Kubectl().RunAsync(["exec", "-n", Namespace, "client", "--", "timeout", "10", .. command], null);
        Assert.True(result.ExitCode == 0, $"nslookup {type} {name} failed ({result.ExitCode}): {result.Combined}\n{await DiagnosticsAsync()}");
        return result.StandardOutput;
    }

    private async Task<string> DiagnosticsAsync()
    {
        var k = Server.Kubectl();
        var resolv = await k.RunAsync("exec", "-n", Namespace, "client", "--", "cat", "/etc/resolv.conf");
        var services = await k.RunAsync("get", "services,endpointslices", "-n", Namespace, "-o", "wide");
        var nft = await ProcessRunner.RunAsync("nft", ["list", "table", "ip", AgentMachine.AgentProxyTable], timeout: TimeSpan.FromSeconds(30));
        var log = Server.Log;
        return $"resolv.conf:\n{resolv.Combined}\n{services.Combined}\nnft:\n{nft.Combined}\nserver log tail:\n{log[Math.Max(0, log.Length - 4000)..]}";
    }
}
