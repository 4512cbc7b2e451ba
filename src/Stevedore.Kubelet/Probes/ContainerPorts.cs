using System.Globalization;
using k8s.Models;

namespace Stevedore.Kubelet.Probes;

/// <summary>Turns a probe's or hook's port (a number, or the name of one of the container's ports) into a number.</summary>
internal static class ContainerPorts
{
    /// <summary>The port number, or null with upstream's reason in <paramref name="error"/>.</summary>
    public static int? Resolve(IntOrString? port, V1Container container, out string error)
    {
        var raw = port?.Value ?? "";
        int number;
        var named = container.Ports?.FirstOrDefault(p => p.Name == raw);
        if (named is not null)
        {
            number = named.ContainerPort;
        }
        else if (!int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number))
        {
            // Upstream tries the name first, then falls back to parsing and reports the parse error.
            error = $"strconv.Atoi: parsing {UpstreamText.Quote(raw)}: invalid syntax";
            return null;
        }

        if (number is <= 0 or >= 65536)
        {
            error = $"invalid port number: {number}";
            return null;
        }

        error = "";
        return number;
    }
}
