using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Http;

/// <summary>What <c>/version</c> reports: the Kubernetes API level Stevedore implements.</summary>
public static class VersionInfo
{
    public const string Major = "1";
    public const string Minor = "33";
    public const string GitVersion = "v1.33.0+stevedore";

    public static JsonObject ToJson() => new()
    {
        ["major"] = Major,
        ["minor"] = Minor,
        ["emulationMajor"] = Major,
        ["emulationMinor"] = Minor,
        ["gitVersion"] = GitVersion,
        ["gitCommit"] = ThisAssembly(),
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2026-11-24T00:00:00Z",
        ["goVersion"] = "dotnet" + Environment.Version,
        ["compiler"] = "dotnet",
        ["platform"] = $"linux/{(System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "arm64" : "amd64")}",
    };

    private static string ThisAssembly() => typeof(VersionInfo).Assembly.GetName().Version?.ToString() ?? "0.0.0";
}
