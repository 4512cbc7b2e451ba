using Stevedore.Network.Cni;

namespace Stevedore.Network.Tests;

public sealed class PortmapChainsTests
{
    // iptables -t nat -S after portmap DEL removed the last sandbox's mapping (Debian's portmap 1.1.1).
    private static readonly string[] Unused =
    [
        "-P PREROUTING ACCEPT",
        "-P POSTROUTING ACCEPT",
        "-N CNI-HOSTPORT-DNAT",
        "-N CNI-HOSTPORT-MASQ",
        "-N CNI-HOSTPORT-SETMARK",
        "-N KUBE-SERVICES",
        "-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT",
        "-A PREROUTING -j KUBE-SERVICES",
        "-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT",
        "-A POSTROUTING -m comment --comment \"CNI portfwd requiring masquerade\" -j CNI-HOSTPORT-MASQ",
        "-A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE",
        "-A CNI-HOSTPORT-SETMARK -m comment --comment \"CNI portfwd masquerade mark\" -j MARK --set-xmark 0x2000/0x2000",
    ];

    [Fact]
    public void RemovalScript_Unused_DeletesTheJumpsThenFlushesAndDeletesOnlyPortmapsChains()
    {
        var script = PortmapChains.RemovalScript(Unused)!;

        Assert.Equal(
            """
            *nat
            -D PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
            -D OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
            -D POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ
            -F CNI-HOSTPORT-DNAT
            -F CNI-HOSTPORT-MASQ
            -F CNI-HOSTPORT-SETMARK
            -X CNI-HOSTPORT-DNAT
            -X CNI-HOSTPORT-MASQ
            -X CNI-HOSTPORT-SETMARK
            COMMIT

            """,
            script);
    }

    [Fact]
    public void RemovalScript_ASandboxStillMapsAPort_IsNull()
    {
        string[] inUse = [.. Unused, "-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment \"dnat name: \\\"x\\\" id: \\\"abc\\\"\" -m multiport --dports 8080 -j CNI-DN-1234"];

        Assert.Null(PortmapChains.RemovalScript(inUse));
    }

    [Fact]
    public void RemovalScript_NoPortmapChains_IsNull() =>
        Assert.Null(PortmapChains.RemovalScript(["-P PREROUTING ACCEPT", "-N KUBE-SERVICES"]));
}
