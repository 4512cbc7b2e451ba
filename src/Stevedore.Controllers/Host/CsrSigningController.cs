using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Cache;
using Stevedore.Client.Informers;
using Stevedore.Client.Resources;
using Stevedore.Controllers.Certificates;
using Stevedore.Controllers.Common;

namespace Stevedore.Controllers.Host;

/// <summary>Wires <see cref="CsrSigningLogic"/>: issues approved client certificate requests from the cluster CA. Keys are CSR names.</summary>
public sealed partial class CsrSigningController : QueueController
{
    private readonly IKubernetes _client;
    private readonly X509Certificate2 _ca;
    private readonly TimeSpan _duration;
    private Lister<V1CertificateSigningRequest> _requests = null!;

    /// <param name="ca">The cluster CA with its private key; the controller does not dispose it.</param>
    /// <param name="duration">The longest validity it signs (upstream <c>--cluster-signing-duration</c>).</param>
    public CsrSigningController(IKubernetes client, X509Certificate2 ca, ILogger logger, TimeProvider time, TimeSpan? duration = null, int workers = 1)
        : base(logger, time, workers)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(ca);
        if (!ca.HasPrivateKey)
        {
            throw new ArgumentException("the signing CA needs its private key", nameof(ca));
        }

        _client = client;
        _ca = ca;
        _duration = duration ?? CsrSigningLogic.DefaultDuration;
    }

    public override string Name => "csrsigning";

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

        var decision = CsrSigningLogic.Decide(cached);
        V1CertificateSigningRequest updated;
        switch (decision.Action)
        {
            case SigningAction.Sign:
                string certificate;
                try
                {
                    certificate = CsrSigningLogic.Sign(cached, _ca, Time.GetUtcNow(), _duration);
                }
                catch (CryptographicException ex)
                {
                    updated = CsrSigningLogic.WithFailure(ObjectCopy.Deep(cached), "signing failed: " + ex.Message, Now);
                    break;
                }

                updated = CsrSigningLogic.WithCertificate(ObjectCopy.Deep(cached), certificate);
                break;
            case SigningAction.Fail:
                updated = CsrSigningLogic.WithFailure(ObjectCopy.Deep(cached), decision.Message, Now);
                break;
            default:
                return;
        }

        try
        {
            await _client.CertificatesV1.ReplaceCertificateSigningRequestStatusAsync(updated, key, cancellationToken: cancellationToken).ConfigureAwait(false);
            LogSigned(Logger, key, decision.Action == SigningAction.Sign ? "issued" : "failed: " + decision.Message);
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            // Deleted meanwhile. A conflict throws and the key is retried against the fresh object.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Certificate signing request {Name}: {Outcome}")]
    private static partial void LogSigned(ILogger logger, string name, string outcome);
}
