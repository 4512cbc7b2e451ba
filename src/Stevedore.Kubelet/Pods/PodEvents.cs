using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Events;

namespace Stevedore.Kubelet.Pods;

/// <summary>Pod and container events with upstream's reasons, recorded in the background (events are best effort).</summary>
internal sealed partial class PodEvents(EventRecorder recorder, ILogger logger)
{
    public const string Pulling = "Pulling";
    public const string Pulled = "Pulled";
    public const string Created = "Created";
    public const string Started = "Started";
    public const string Killing = "Killing";
    public const string BackOff = "BackOff";
    public const string Failed = "Failed";
    public const string Unhealthy = "Unhealthy";
    public const string FailedMount = "FailedMount";
    public const string FailedCreatePodSandBox = "FailedCreatePodSandBox";
    public const string SandboxChanged = "SandboxChanged";
    public const string FailedPostStartHook = "FailedPostStartHook";
    public const string FailedPreStopHook = "FailedPreStopHook";
    public const string ErrImageNeverPull = "ErrImageNeverPull";
    public const string InspectFailed = "InspectFailed";

    /// <summary>An event about the pod as a whole.</summary>
    public void Pod(V1Pod pod, string type, string reason, string message) => Record(Reference(pod, null), type, reason, message);

    /// <summary>An event about one container (fieldPath <c>spec.containers{name}</c> or <c>spec.initContainers{name}</c>).</summary>
    public void Container(V1Pod pod, string containerName, string type, string reason, string message) =>
        Record(Reference(pod, FieldPath(pod, containerName)), type, reason, message);

    /// <summary>The fieldPath upstream uses for a container of the pod.</summary>
    public static string FieldPath(V1Pod pod, string containerName) =>
        pod.Spec?.InitContainers?.Any(c => c.Name == containerName) == true
            ? $"spec.initContainers{{{containerName}}}"
            : $"spec.containers{{{containerName}}}";

    private static V1ObjectReference Reference(V1Pod pod, string? fieldPath) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Name = pod.Metadata.Name,
        NamespaceProperty = SandboxConfigs.NamespaceOf(pod),
        Uid = pod.Metadata.Uid,
        FieldPath = fieldPath,
    };

    private void Record(V1ObjectReference reference, string type, string reason, string message) =>
        _ = RecordAsync(reference, type, reason, message);

    private async Task RecordAsync(V1ObjectReference reference, string type, string reason, string message)
    {
        try
        {
            await recorder.RecordAsync(reference, type, reason, message).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogEventFailed(logger, reason, reference.NamespaceProperty, reference.Name, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {Reason} for {Namespace}/{Name} not recorded: {Error}")]
    private static partial void LogEventFailed(ILogger logger, string reason, string? @namespace, string? name, string error);
}
