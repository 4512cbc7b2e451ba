using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stevedore.Cri.Streaming.RemoteCommand;

/// <summary>
/// What ends a remote command session on the error stream: from v4 on a JSON <c>metav1.Status</c>
/// (success, or failure with reason <c>NonZeroExitCode</c> and the code as an <c>ExitCode</c> cause);
/// before v4 nothing on success and the message text on failure.
/// </summary>
public sealed record RemoteCommandStatus(bool Success, int? ExitCode, string Message)
{
    /// <summary>The reason of a command that ran and exited non-zero.</summary>
    public const string NonZeroExitCodeReason = "NonZeroExitCode";

    /// <summary>The cause type that carries the exit code.</summary>
    public const string ExitCodeCause = "ExitCode";

    /// <summary>The command ran and exited 0 (or the attach ended normally).</summary>
    public static RemoteCommandStatus Succeeded { get; } = new(true, 0, "");

    /// <summary>The command ran and exited with <paramref name="exitCode"/> (not 0).</summary>
    public static RemoteCommandStatus Exited(IReadOnlyList<string> command, int exitCode) =>
        new(false, exitCode, $"command terminated with non-zero exit code: error executing command [{string.Join(' ', command)}], exit code {exitCode}");

    /// <summary>The command could not run.</summary>
    public static RemoteCommandStatus Failed(string message) => new(false, null, message);

    /// <summary>The bytes for the error stream of a session speaking <paramref name="protocol"/> (possibly none).</summary>
    public byte[] Encode(string protocol)
    {
        if (!StreamProtocols.HasJsonStatus(protocol))
        {
            return Success ? [] : Encoding.UTF8.GetBytes(Message);
        }

        var status = new JsonObject { ["metadata"] = new JsonObject(), ["status"] = Success ? "Success" : "Failure" };
        if (!Success && ExitCode is { } code)
        {
            status["message"] = Message;
            status["reason"] = NonZeroExitCodeReason;
            status["details"] = new JsonObject
            {
                ["causes"] = new JsonArray(new JsonObject { ["reason"] = ExitCodeCause, ["message"] = code.ToString(CultureInfo.InvariantCulture) }),
            };
        }
        else if (!Success)
        {
            status["message"] = "Internal error occurred: " + Message;
            status["reason"] = "InternalError";
            status["details"] = new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = Message }) };
            status["code"] = 500;
        }

        return Encoding.UTF8.GetBytes(status.ToJsonString());
    }

    /// <summary>Reads what a session speaking <paramref name="protocol"/> left on its error stream.</summary>
    public static RemoteCommandStatus Decode(string protocol, ReadOnlySpan<byte> bytes)
    {
        if (!StreamProtocols.HasJsonStatus(protocol))
        {
            return bytes.IsEmpty ? Succeeded : Failed(Encoding.UTF8.GetString(bytes));
        }

        if (bytes.IsEmpty)
        {
            return Succeeded;
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(bytes.ToArray());
        }
        catch (JsonException)
        {
            return Failed(Encoding.UTF8.GetString(bytes));
        }

        if (node?["status"]?.GetValue<string>() == "Success")
        {
            return Succeeded;
        }

        var message = node?["message"]?.GetValue<string>() ?? Encoding.UTF8.GetString(bytes);
        if (node?["reason"]?.GetValue<string>() == NonZeroExitCodeReason)
        {
            foreach (var cause in node["details"]?["causes"] as JsonArray ?? [])
            {
                if (cause?["reason"]?.GetValue<string>() == ExitCodeCause
                    && int.TryParse(cause["message"]?.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code))
                {
                    return new RemoteCommandStatus(false, code, message);
                }
            }
        }

        return Failed(message);
    }
}
