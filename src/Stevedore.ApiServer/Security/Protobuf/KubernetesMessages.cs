using K = Stevedore.ApiServer.Security.Protobuf.ProtoFieldKind;

namespace Stevedore.ApiServer.Security.Protobuf;

/// <summary>
/// The message shapes this server translates, and the one registry of top-level kinds it
/// accepts as protobuf. kubectl 1.32+ sends these kinds as protobuf through its typed clientset
/// (SelfSubjectAccessReview, SelfSubjectRulesReview, SelfSubjectReview, TokenRequest); add a
/// kind here when another typed-client call needs it.
/// </summary>
public static class KubernetesMessages
{
    public static readonly ProtoMessage ObjectMeta = new(
        "ObjectMeta",
        new ProtoField(1, "name", K.String),
        new ProtoField(2, "generateName", K.String),
        new ProtoField(3, "namespace", K.String),
        new ProtoField(4, "selfLink", K.String),
        new ProtoField(5, "uid", K.String),
        new ProtoField(6, "resourceVersion", K.String),
        new ProtoField(7, "generation", K.Int64),
        new ProtoField(8, "creationTimestamp", K.Time),
        new ProtoField(9, "deletionTimestamp", K.Time),
        new ProtoField(10, "deletionGracePeriodSeconds", K.Int64),
        new ProtoField(11, "labels", K.StringMap),
        new ProtoField(12, "annotations", K.StringMap),
        new ProtoField(14, "finalizers", K.RepeatedString));

    // authorization.k8s.io/v1

    public static readonly ProtoMessage ResourceAttributes = new(
        "ResourceAttributes",
        new ProtoField(1, "namespace", K.String),
        new ProtoField(2, "verb", K.String),
        new ProtoField(3, "group", K.String),
        new ProtoField(4, "version", K.String),
        new ProtoField(5, "resource", K.String),
        new ProtoField(6, "subresource", K.String),
        new ProtoField(7, "name", K.String));

    public static readonly ProtoMessage NonResourceAttributes = new(
        "NonResourceAttributes",
        new ProtoField(1, "path", K.String),
        new ProtoField(2, "verb", K.String));

    public static readonly ProtoMessage SubjectAccessReviewStatus = new(
        "SubjectAccessReviewStatus",
        new ProtoField(1, "allowed", K.Bool),
        new ProtoField(2, "reason", K.String),
        new ProtoField(3, "evaluationError", K.String),
        new ProtoField(4, "denied", K.Bool));

    public static readonly ProtoMessage SelfSubjectAccessReview = new(
        "SelfSubjectAccessReview",
        new ProtoField(1, "metadata", K.Message, ObjectMeta),
        new ProtoField(2, "spec", K.Message, new ProtoMessage(
            "SelfSubjectAccessReviewSpec",
            new ProtoField(1, "resourceAttributes", K.Message, ResourceAttributes),
            new ProtoField(2, "nonResourceAttributes", K.Message, NonResourceAttributes))),
        new ProtoField(3, "status", K.Message, SubjectAccessReviewStatus));

    public static readonly ProtoMessage SelfSubjectRulesReview = new(
        "SelfSubjectRulesReview",
        new ProtoField(1, "metadata", K.Message, ObjectMeta),
        new ProtoField(2, "spec", K.Message, new ProtoMessage(
            "SelfSubjectRulesReviewSpec",
            new ProtoField(1, "namespace", K.String))),
        new ProtoField(3, "status", K.Message, new ProtoMessage(
            "SubjectRulesReviewStatus",
            new ProtoField(1, "resourceRules", K.RepeatedMessage, new ProtoMessage(
                "ResourceRule",
                new ProtoField(1, "verbs", K.RepeatedString),
                new ProtoField(2, "apiGroups", K.RepeatedString),
                new ProtoField(3, "resources", K.RepeatedString),
                new ProtoField(4, "resourceNames", K.RepeatedString))),
            new ProtoField(2, "nonResourceRules", K.RepeatedMessage, new ProtoMessage(
                "NonResourceRule",
                new ProtoField(1, "verbs", K.RepeatedString),
                new ProtoField(2, "nonResourceURLs", K.RepeatedString))),
            new ProtoField(3, "incomplete", K.Bool),
            new ProtoField(4, "evaluationError", K.String))));

    // authentication.k8s.io/v1 (SelfSubjectReview also v1beta1, same shape)

    public static readonly ProtoMessage UserInfo = new(
        "UserInfo",
        new ProtoField(1, "username", K.String),
        new ProtoField(2, "uid", K.String),
        new ProtoField(3, "groups", K.RepeatedString),
        new ProtoField(4, "extra", K.StringListMap));

    public static readonly ProtoMessage SelfSubjectReview = new(
        "SelfSubjectReview",
        new ProtoField(1, "metadata", K.Message, ObjectMeta),
        new ProtoField(2, "status", K.Message, new ProtoMessage(
            "SelfSubjectReviewStatus",
            new ProtoField(1, "userInfo", K.Message, UserInfo))));

    public static readonly ProtoMessage TokenReview = new(
        "TokenReview",
        new ProtoField(1, "metadata", K.Message, ObjectMeta),
        new ProtoField(2, "spec", K.Message, new ProtoMessage(
            "TokenReviewSpec",
            new ProtoField(1, "token", K.String),
            new ProtoField(2, "audiences", K.RepeatedString))),
        new ProtoField(3, "status", K.Message, new ProtoMessage(
            "TokenReviewStatus",
            new ProtoField(1, "authenticated", K.Bool),
            new ProtoField(2, "user", K.Message, UserInfo),
            new ProtoField(3, "error", K.String),
            new ProtoField(4, "audiences", K.RepeatedString))));

    public static readonly ProtoMessage TokenRequest = new(
        "TokenRequest",
        new ProtoField(1, "metadata", K.Message, ObjectMeta),
        new ProtoField(2, "spec", K.Message, new ProtoMessage(
            "TokenRequestSpec",
            new ProtoField(1, "audiences", K.RepeatedString),
            new ProtoField(3, "boundObjectRef", K.Message, new ProtoMessage(
                "BoundObjectReference",
                new ProtoField(1, "kind", K.String),
                new ProtoField(2, "apiVersion", K.String),
                new ProtoField(3, "name", K.String),
                new ProtoField(4, "uid", K.String))),
            new ProtoField(4, "expirationSeconds", K.Int64))),
        new ProtoField(3, "status", K.Message, new ProtoMessage(
            "TokenRequestStatus",
            new ProtoField(1, "token", K.String),
            new ProtoField(2, "expirationTimestamp", K.Time))));

    private static readonly Dictionary<(string ApiVersion, string Kind), ProtoMessage> TopLevel = new()
    {
        [("authorization.k8s.io/v1", "SelfSubjectAccessReview")] = SelfSubjectAccessReview,
        [("authorization.k8s.io/v1", "SelfSubjectRulesReview")] = SelfSubjectRulesReview,
        [("authentication.k8s.io/v1", "SelfSubjectReview")] = SelfSubjectReview,
        [("authentication.k8s.io/v1beta1", "SelfSubjectReview")] = SelfSubjectReview,
        [("authentication.k8s.io/v1", "TokenReview")] = TokenReview,
        [("authentication.k8s.io/v1", "TokenRequest")] = TokenRequest,
    };

    /// <summary>The shape of a top-level kind, or <c>null</c> if it is not translated.</summary>
    public static ProtoMessage? Find(string apiVersion, string kind) => TopLevel.GetValueOrDefault((apiVersion, kind));
}
