namespace Stevedore.ApiServer.Http;

/// <summary>The OpenAPI documents the server publishes.</summary>
public interface IOpenApiSource
{
    byte[] V2Json { get; }
    byte[] V2Protobuf { get; }
    byte[] V3Index { get; }

    /// <summary>A group-version document by its path under /openapi/v3/ (e.g. <c>apis/apps/v1</c>).</summary>
    bool TryGetV3(string groupVersionPath, out byte[] document, out string hash);
}
