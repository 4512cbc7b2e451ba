namespace Stevedore.ApiServer.OpenApi;

/// <summary>One query or path parameter of an operation.</summary>
internal sealed record ParameterSpec(string Name, string In, string Type, string Description, bool Required = false);

/// <summary>The query parameters of the upstream operations, grouped the way operations use them.</summary>
internal static class QueryParameters
{
    public static readonly ParameterSpec Pretty = Query("pretty", "string", "If 'true', the output is pretty printed; defaults to false unless the user agent looks like a browser or a command-line HTTP tool.");

    public static readonly ParameterSpec DryRun = Query("dryRun", "string", "When present, the request is validated and admitted but not persisted. The only valid value is All.");
    public static readonly ParameterSpec FieldManager = Query("fieldManager", "string", "The name of the actor making the change, used to track field ownership.");
    public static readonly ParameterSpec FieldValidation = Query("fieldValidation", "string", "How to treat unknown or duplicate fields in the request body: Ignore, Warn (the default) or Strict.");
    public static readonly ParameterSpec Force = Query("force", "boolean", "Apply requests only: take ownership of fields that other managers own instead of reporting a conflict.");

    public static readonly ParameterSpec GracePeriodSeconds = Query("gracePeriodSeconds", "integer", "Seconds before the object is deleted; zero means immediately. Defaults to the object's own grace period.");
    public static readonly ParameterSpec IgnoreStoreReadError = Query("ignoreStoreReadErrorWithClusterBreakingPotential", "boolean", "Delete an object whose stored data cannot be read or decoded. Use with care.");
    public static readonly ParameterSpec OrphanDependents = Query("orphanDependents", "boolean", "Deprecated: use propagationPolicy. Whether dependents are orphaned instead of deleted.");
    public static readonly ParameterSpec PropagationPolicy = Query("propagationPolicy", "string", "How dependents are garbage collected: Orphan, Background or Foreground.");

    public static readonly ParameterSpec AllowWatchBookmarks = Query("allowWatchBookmarks", "boolean", "Watch only: ask for BOOKMARK events that carry the latest resourceVersion.");
    public static readonly ParameterSpec Continue = Query("continue", "string", "The continue token of a previous paged list response.");
    public static readonly ParameterSpec FieldSelector = Query("fieldSelector", "string", "Restrict the result by fields, e.g. metadata.name=x. Defaults to everything.");
    public static readonly ParameterSpec LabelSelector = Query("labelSelector", "string", "Restrict the result by labels, e.g. app=web,tier!=db. Defaults to everything.");
    public static readonly ParameterSpec Limit = Query("limit", "integer", "The maximum number of items in one list response; more are available through the continue token.");
    public static readonly ParameterSpec ResourceVersion = Query("resourceVersion", "string", "Which version of the data a list or watch starts from; see the resourceVersion semantics of the API.");
    public static readonly ParameterSpec ResourceVersionMatch = Query("resourceVersionMatch", "string", "How resourceVersion applies to a list: Exact or NotOlderThan.");
    public static readonly ParameterSpec SendInitialEvents = Query("sendInitialEvents", "boolean", "Watch only: start with synthetic ADDED events for the current state, then a bookmark.");
    public static readonly ParameterSpec TimeoutSeconds = Query("timeoutSeconds", "integer", "Time limit of the list or watch call.");
    public static readonly ParameterSpec Watch = Query("watch", "boolean", "Watch for changes and return them as a stream of add, update and remove notifications.");

    public static IReadOnlyList<ParameterSpec> List { get; } =
        [AllowWatchBookmarks, Continue, FieldSelector, LabelSelector, Limit, ResourceVersion, ResourceVersionMatch, SendInitialEvents, TimeoutSeconds, Watch];

    public static IReadOnlyList<ParameterSpec> Write { get; } = [DryRun, FieldManager, FieldValidation];

    public static IReadOnlyList<ParameterSpec> Patch { get; } = [DryRun, FieldManager, FieldValidation, Force];

    public static IReadOnlyList<ParameterSpec> Delete { get; } = [DryRun, GracePeriodSeconds, IgnoreStoreReadError, OrphanDependents, PropagationPolicy];

    public static IReadOnlyList<ParameterSpec> DeleteCollection { get; } =
        [Continue, DryRun, FieldSelector, GracePeriodSeconds, IgnoreStoreReadError, LabelSelector, Limit, OrphanDependents, PropagationPolicy, ResourceVersion, ResourceVersionMatch, SendInitialEvents, TimeoutSeconds];

    public static IReadOnlyList<ParameterSpec> Log { get; } =
    [
        Query("container", "string", "The container whose logs to return; defaults to the only container."),
        Query("follow", "boolean", "Stream the log as it grows."),
        Query("insecureSkipTLSVerifyBackend", "boolean", "Do not verify the serving certificate of the node when fetching logs."),
        Query("limitBytes", "integer", "Stop after this many bytes."),
        Query("previous", "boolean", "Return the log of the previous, terminated container instance."),
        Query("sinceSeconds", "integer", "Only lines newer than this many seconds."),
        Query("sinceTime", "string", "Only lines newer than this RFC 3339 time."),
        Query("stream", "string", "Which stream to return: All, Stdout or Stderr."),
        Query("tailLines", "integer", "Only this many lines from the end of the log."),
        Query("timestamps", "boolean", "Prefix every line with its RFC 3339 timestamp."),
    ];

    public static IReadOnlyList<ParameterSpec> Exec { get; } =
    [
        Query("command", "string", "The command to run; repeat the parameter for each argument."),
        Query("container", "string", "The container to run the command in."),
        Query("stderr", "boolean", "Return the standard error stream."),
        Query("stdin", "boolean", "Send a standard input stream."),
        Query("stdout", "boolean", "Return the standard output stream."),
        Query("tty", "boolean", "Allocate a terminal."),
    ];

    public static IReadOnlyList<ParameterSpec> Attach { get; } =
    [
        Query("container", "string", "The container to attach to."),
        Query("stderr", "boolean", "Return the standard error stream."),
        Query("stdin", "boolean", "Send a standard input stream."),
        Query("stdout", "boolean", "Return the standard output stream."),
        Query("tty", "boolean", "The attached container has a terminal."),
    ];

    public static IReadOnlyList<ParameterSpec> PortForward { get; } =
    [
        Query("ports", "integer", "The pod ports to forward to."),
    ];

    public static ParameterSpec PathName(string kind) => new("name", "path", "string", $"name of the {kind}", Required: true);

    public static ParameterSpec PathNamespace { get; } = new("namespace", "path", "string", "object name and auth scope, such as for teams and projects", Required: true);

    private static ParameterSpec Query(string name, string type, string description) => new(name, "query", type, description);
}
