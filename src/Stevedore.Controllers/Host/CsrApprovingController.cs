using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Cache;
using Stevedore.Client.Informers;
using Stevedore.Client.Resources;
using Stevedore.Controllers.Certificates;
using Stevedore.Controllers.Common;

namespace Stevedore.Controllers.Host;

/// <summary>Wires <see cref="CsrApprovalLogic"/>: approves kubelet client certificate requests of joining and renewing nodes. Keys are CSR names.</summary>
public sealed partial class CsrApprovingController : QueueController
{
    private readonly IKubernetes _client;
    private Lister<V1CertificateSigningRequest> _requests = null!;

    public CsrApprovingController(IKubernetes client, ILogger logger, TimeProvider time, int workers = 1)
        : base(logger, time, workers)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    public override string Name => "csrapproving";

    public override void Register(SharedInformerFactory informers)
    {
        var requests = informers.GetInformer<V1CertificateSigningRequest>();
        _requests = requests.Lister;
        Handle(requests, Enqueue, (_, n) => Enqueue(n));
    }

    protected override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        if (_requests.Get(key) is not { } cached)
        {
            return;
        }

        var decision = CsrApprovalLogic.Decide(cached);
        if (!decision.Approve)
        {
            return;
        }

        var approved = CsrApprovalLogic.WithApproval(ObjectCopy.Deep(cached), decision, Now);
        try
        {
            await _client.CertificatesV1.ReplaceCertificateSigningRequestApprovalAsync(approved, key, cancellationToken: cancellationToken).ConfigureAwait(false);
            LogApproved(Logger, key, cached.Spec.Username ?? "");
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            // Deleted meanwhile: nothing to approve. A conflict throws and the key is retried with a fresh copy.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Approved certificate signing request {Name} of {Requester}")]
    private static partial void LogApproved(ILogger logger, string name, string requester);
}
