using Stevedore.ApiServer.Printing;
using static Stevedore.ApiServer.Tests.Printing.TestObjects;

namespace Stevedore.ApiServer.Tests.Printing;

public class CertificatePrinterTests
{
    [Theory]
    [InlineData("{}", "Pending")]
    [InlineData("{'conditions':[{'type':'Approved','status':'True'}]}", "Approved")]
    [InlineData("{'conditions':[{'type':'Approved','status':'True'}],'certificate':'eA=='}", "Approved,Issued")]
    [InlineData("{'conditions':[{'type':'Denied','status':'True'}]}", "Denied")]
    [InlineData("{'conditions':[{'type':'Approved','status':'True'},{'type':'Failed','status':'True'}]}", "Approved,Failed")]
    public void Condition_Status_UpstreamWords(string status, string expected) =>
        Assert.Equal(expected, CertificatePrinters.Condition(Parse($"{{'status':{status}}}")));

    [Fact]
    public void ToTable_Csr_Columns()
    {
        var csr = Parse("{'metadata':{'name':'node-csr-x'},'spec':{'signerName':'kubernetes.io/kube-apiserver-client-kubelet','username':'system:bootstrap:abcdef','expirationSeconds':86400},'status':{}}");

        var cells = Cells("certificates.k8s.io", "certificatesigningrequests", csr);

        Assert.Equal(["Name", "Age", "SignerName", "Requestor", "RequestedDuration", "Condition"], cells.Keys);
        Assert.Equal(["node-csr-x", "10m", "kubernetes.io/kube-apiserver-client-kubelet", "system:bootstrap:abcdef", "24h", "Pending"], cells.Keys.Select(cells.Text));
    }
}
