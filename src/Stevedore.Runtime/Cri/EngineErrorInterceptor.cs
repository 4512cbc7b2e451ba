using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Stevedore.Runtime.Cri;

/// <summary>Turns engine errors into gRPC status codes a CRI client understands (NotFound above all).</summary>
public sealed class EngineErrorInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (EngineException ex)
        {
            throw new RpcException(new Status(CodeOf(ex.Kind), ex.Message));
        }
    }

    /// <summary>The gRPC code for an engine error kind.</summary>
    public static StatusCode CodeOf(EngineErrorKind kind) => kind switch
    {
        EngineErrorKind.NotFound => StatusCode.NotFound,
        EngineErrorKind.InvalidArgument => StatusCode.InvalidArgument,
        EngineErrorKind.Conflict => StatusCode.FailedPrecondition,
        _ => StatusCode.Internal,
    };
}
