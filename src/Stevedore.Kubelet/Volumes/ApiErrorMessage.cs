using System.Text.Json;
using k8s.Autorest;

namespace Stevedore.Kubelet.Volumes;

/// <summary>What a user should read about a failed API call: the server's Status message, else the exception's own.</summary>
internal static class ApiErrorMessage
{
    public static string Of(Exception ex)
    {
        if (ex is HttpOperationException { Response.Content: { Length: > 0 } body })
        {
            try
            {
                using var status = JsonDocument.Parse(body);
                if (status.RootElement.ValueKind == JsonValueKind.Object &&
                    status.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                {
                    return message.GetString()!;
                }
            }
            catch (JsonException)
            {
            }
        }

        return ex.Message;
    }
}
