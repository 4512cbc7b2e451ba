using Grpc.Core;
using Stevedore.Cri.Streaming.RemoteCommand;
using Stevedore.Cri.V1;
using Stevedore.Runtime.Cri.Streaming;
using EngineStatus = Stevedore.Runtime.Containers.ContainerStatus;

namespace Stevedore.Runtime.Cri;

/// <summary>Exec, Attach and PortForward: each checks its request and answers with a single-use URL on the streaming server.</summary>
public sealed partial class CriRuntimeService
{
    public override async Task<ExecResponse> Exec(ExecRequest request, ServerCallContext context)
    {
        var options = CheckStreams(request.ContainerId, request.Stdin, request.Stdout, request.Stderr, request.Tty);
        if (request.Cmd.Count == 0)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, "cmd is required"));
        }

        var container = await RunningContainerAsync(request.ContainerId, context.CancellationToken);
        return new ExecResponse { Url = Url(new ExecStreamingRequest(container.Id, [.. request.Cmd], options)) };
    }

    public override async Task<AttachResponse> Attach(AttachRequest request, ServerCallContext context)
    {
        var options = CheckStreams(request.ContainerId, request.Stdin, request.Stdout, request.Stderr, request.Tty);
        var container = await RunningContainerAsync(request.ContainerId, context.CancellationToken);
        return new AttachResponse { Url = Url(new AttachStreamingRequest(container.Id, options)) };
    }

    public override async Task<PortForwardResponse> PortForward(PortForwardRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.PodSandboxId))
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, "missing required pod_sandbox_id"));
        }

        var sandbox = await FindAsync(request.PodSandboxId, SandboxKind, context.CancellationToken) ?? throw NotFound("pod sandbox", request.PodSandboxId);
        if (SandboxStateOf(sandbox) != PodSandboxState.SandboxReady)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition, $"pod sandbox {sandbox.Id} is not ready"));
        }

        return new PortForwardResponse { Url = Url(new PortForwardStreamingRequest(sandbox.Id)) };
    }

    /// <summary>The checks upstream's streaming server makes before handing out a URL.</summary>
    public static RemoteCommandOptions CheckStreams(string containerId, bool stdin, bool stdout, bool stderr, bool tty)
    {
        if (string.IsNullOrEmpty(containerId))
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, "missing required container_id"));
        }

        if (tty && stderr)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, "tty and stderr cannot both be true"));
        }

        if (!stdin && !stdout && !stderr)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, "one of stdin, stdout, or stderr must be set"));
        }

        return new RemoteCommandOptions(stdin, stdout, stderr, tty);
    }

    private async Task<Containers.ContainerRecord> RunningContainerAsync(string id, CancellationToken cancellationToken)
    {
        var container = await FindAsync(id, ContainerKind, cancellationToken) ?? throw NotFound("container", id);
        if (container.Status != EngineStatus.Running)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition, $"container {container.Id} is not running"));
        }

        return container;
    }

    private string Url(StreamingRequest request) =>
        streaming.UrlFor(request) ?? throw new RpcException(new Grpc.Core.Status(StatusCode.ResourceExhausted, "maximum number of in-flight requests exceeded"));
}
