using System.Net;
using Stevedore.ApiServer.Security.Pki;

namespace Stevedore.ApiServer.Tests.Security;

/// <summary>Certificates for tests, created with fixed names so no test depends on the machine's interfaces.</summary>
internal static class TestPki
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static ServingNames Names(params string[] extras) =>
        ServingNames.Compute("testhost", [IPAddress.Parse("192.0.2.10")], extras);
}
