using Stevedore.ApiServer.Printing;
using static Stevedore.ApiServer.Tests.Printing.TestObjects;

namespace Stevedore.ApiServer.Tests.Printing;

public class NetworkPrinterTests
{
    [Theory]
    [InlineData("[]", "<none>")]
    [InlineData("[{'port':80,'protocol':'TCP'}]", "80/TCP")]
    [InlineData("[{'port':53,'protocol':'UDP'},{'port':53,'protocol':'TCP'}]", "53/UDP,53/TCP")]
    [InlineData("[{'port':80,'protocol':'TCP','nodePort':30080}]", "80:30080/TCP")]
    [InlineData("[{'port':443}]", "443/TCP")]
    public void ServicePorts_Ports_UpstreamFormat(string ports, string expected) =>
        Assert.Equal(expected, NetworkPrinters.ServicePorts(Parse($"{{'spec':{{'ports':{ports}}}}}")));

    [Theory]
    [InlineData("{'type':'ClusterIP'}", "{}", "<none>")]
    [InlineData("{'type':'ClusterIP','externalIPs':['1.2.3.4','5.6.7.8']}", "{}", "1.2.3.4,5.6.7.8")]
    [InlineData("{'type':'NodePort'}", "{}", "<none>")]
    [InlineData("{'type':'LoadBalancer'}", "{}", "<pending>")]
    [InlineData("{'type':'LoadBalancer'}", "{'loadBalancer':{'ingress':[{'ip':'9.9.9.9'},{'hostname':'lb.example.com'},{'ip':'9.9.9.9'}]}}", "9.9.9.9,lb.example.com")]
    [InlineData("{'type':'LoadBalancer','externalIPs':['1.1.1.1']}", "{'loadBalancer':{'ingress':[{'ip':'2.2.2.2'}]}}", "2.2.2.2,1.1.1.1")]
    [InlineData("{'type':'ExternalName','externalName':'db.example.com'}", "{}", "db.example.com")]
    [InlineData("{'type':'Weird'}", "{}", "<unknown>")]
    public void ServiceExternalIp_ServiceType_UpstreamPlaceholder(string spec, string status, string expected) =>
        Assert.Equal(expected, NetworkPrinters.ServiceExternalIp(Parse($"{{'spec':{spec},'status':{status}}}")));

    [Fact]
    public void ToTable_Service_AllCells()
    {
        var svc = Parse("{'metadata':{'name':'web'},'spec':{'type':'ClusterIP','clusterIP':'10.96.0.10','clusterIPs':['10.96.0.10'],'ports':[{'port':80,'protocol':'TCP'}],'selector':{'tier':'fe','app':'web'}}}");
        var cells = Cells("", "services", svc);
        Assert.Equal(["web", "ClusterIP", "10.96.0.10", "<none>", "80/TCP", "10m", "app=web,tier=fe"],
            cells.Keys.Select(cells.Text));
    }

    [Fact]
    public void ToTable_HeadlessServiceWithoutSelector_NoneClusterIpAndSelector()
    {
        var cells = Cells("", "services", Parse("{'spec':{'type':'ClusterIP','clusterIP':'None','clusterIPs':['None']}}"));
        Assert.Equal("None", cells.Text("Cluster-IP"));
        Assert.Equal("<none>", cells.Text("Selector"));
        Assert.Equal("<none>", cells.Text("Port(s)"));
    }

    [Theory]
    [InlineData("[]", "<none>")]
    [InlineData("[{'addresses':[{'ip':'10.0.0.1'}],'ports':[{'port':80}]}]", "10.0.0.1:80")]
    [InlineData("[{'addresses':[{'ip':'10.0.0.1'},{'ip':'10.0.0.2'}]}]", "10.0.0.1,10.0.0.2")]
    [InlineData("[{'addresses':[{'ip':'fd00::1'}],'ports':[{'port':443}]}]", "[fd00::1]:443")]
    [InlineData("[{'addresses':[{'ip':'a'},{'ip':'b'}],'ports':[{'port':1},{'port':2}]}]", "a:1,b:1,a:2 + 1 more...")]
    public void ToTable_Endpoints_UpToThreeThenMore(string subsets, string expected) =>
        Assert.Equal(expected, Cells("", "endpoints", Parse($"{{'subsets':{subsets}}}")).Text("Endpoints"));

    [Theory]
    [InlineData("[]", "[]", "<unset>", "<unset>")]
    [InlineData("[{'port':80},{'name':'http'},{}]", "[{'addresses':['10.0.0.1']}]", "80,http,*", "10.0.0.1")]
    [InlineData("[{'port':1}]", "[{'addresses':['a','b']},{'addresses':['c','d','e']}]", "1", "a,b,c + 2 more...")]
    public void ToTable_EndpointSlice_PortsAndEndpoints(string ports, string endpoints, string expectedPorts, string expectedEndpoints)
    {
        var cells = Cells("discovery.k8s.io", "endpointslices", Parse($"{{'addressType':'IPv4','ports':{ports},'endpoints':{endpoints}}}"));
        Assert.Equal("IPv4", cells.Text("AddressType"));
        Assert.Equal(expectedPorts, cells.Text("Ports"));
        Assert.Equal(expectedEndpoints, cells.Text("Endpoints"));
    }

    [Theory]
    [InlineData("{'rules':[]}", "<none>", "*", "80")]
    [InlineData("{'ingressClassName':'nginx','rules':[{'host':'a.com'},{}],'tls':[{}]}", "nginx", "a.com", "80, 443")]
    [InlineData("{'rules':[{'host':'a'},{'host':'b'},{'host':'c'},{'host':'d'},{'host':'e'}]}", "<none>", "a,b,c + 2 more...", "80")]
    public void ToTable_Ingress_ClassHostsPorts(string spec, string expectedClass, string expectedHosts, string expectedPorts)
    {
        var cells = Cells("networking.k8s.io", "ingresses", Parse($"{{'spec':{spec},'status':{{'loadBalancer':{{'ingress':[{{'ip':'1.2.3.4'}}]}}}}}}"));
        Assert.Equal(expectedClass, cells.Text("Class"));
        Assert.Equal(expectedHosts, cells.Text("Hosts"));
        Assert.Equal("1.2.3.4", cells.Text("Address"));
        Assert.Equal(expectedPorts, cells.Text("Ports"));
    }

    [Theory]
    [InlineData("{}", "<none>")]
    [InlineData("{'matchLabels':{'role':'db'}}", "role=db")]
    public void ToTable_NetworkPolicy_PodSelector(string selector, string expected) =>
        Assert.Equal(expected, Cells("networking.k8s.io", "networkpolicies", Parse($"{{'spec':{{'podSelector':{selector}}}}}")).Text("Pod-Selector"));
}
