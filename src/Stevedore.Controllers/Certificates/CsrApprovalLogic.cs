using k8s.Models;

namespace Stevedore.Controllers.Certificates;

/// <summary>What the approver does with one request.</summary>
public sealed record ApprovalDecision(bool Approve, string Reason, string Message)
{
    public static readonly ApprovalDecision None = new(false, "", "");
}

/// <summary>
/// The auto-approver's decision (upstream <c>csrapproving</c>): a kubelet client certificate request
/// (<see cref="NodeClientRequest"/>) is approved when it comes from a bootstrap token (group
/// <c>system:bootstrappers</c>: a node joining) or from the very node it names (<c>system:node:NAME</c> renewing its
/// own certificate). Anything else is left pending for an administrator (<c>kubectl certificate approve|deny</c>);
/// the approver never denies.
/// </summary>
public static class CsrApprovalLogic
{
    public const string Reason = "AutoApproved";

    public static ApprovalDecision Decide(V1CertificateSigningRequest csr)
    {
        ArgumentNullException.ThrowIfNull(csr);
        if (CertificateRequests.HasCondition(csr, CertificateRequests.Approved) || CertificateRequests.HasCondition(csr, CertificateRequests.Denied)
            || CertificateRequests.HasCertificate(csr))
        {
            return ApprovalDecision.None;
        }

        var check = NodeClientRequest.Check(csr);
        if (!check.IsNodeClient)
        {
            return ApprovalDecision.None;
        }

        var requester = csr.Spec.Username ?? "";
        if (csr.Spec.Groups?.Contains(CertificateRequests.BootstrappersGroup) == true)
        {
            return new ApprovalDecision(true, Reason, $"Auto approving the kubelet client certificate of node {check.NodeName} requested by bootstrap user {requester}.");
        }

        if (requester == CertificateRequests.NodeUserPrefix + check.NodeName)
        {
            return new ApprovalDecision(true, Reason, $"Auto approving the renewal of node {check.NodeName}'s own kubelet client certificate.");
        }

        return ApprovalDecision.None;
    }

    /// <summary>The request with its Approved condition added (the body for <c>/approval</c>).</summary>
    public static V1CertificateSigningRequest WithApproval(V1CertificateSigningRequest csr, ApprovalDecision decision, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(csr);
        ArgumentNullException.ThrowIfNull(decision);
        csr.Status ??= new V1CertificateSigningRequestStatus();
        csr.Status.Conditions ??= [];
        csr.Status.Conditions.Add(new V1CertificateSigningRequestCondition
        {
            Type = CertificateRequests.Approved,
            Status = "True",
            Reason = decision.Reason,
            Message = decision.Message,
            LastUpdateTime = now,
            LastTransitionTime = now,
        });
        return csr;
    }
}
