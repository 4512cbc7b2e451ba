using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Printing;

/// <summary>The NAME and AGE cells every printer starts or ends with.</summary>
internal static class Meta
{
    public static string Name(JsonObject o) => o.S("metadata", "name");

    public static string Age(JsonObject o, DateTimeOffset now) => HumanDuration.Since(o.Time("metadata", "creationTimestamp"), now);
}
