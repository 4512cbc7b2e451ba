using Stevedore.ApiServer.Validation;

namespace Stevedore.ApiServer.Tests.Validation;

public class FieldErrorTests
{
    public static TheoryData<FieldError, string, string> Cases => new()
    {
        { FieldError.Required("spec.selector"), "FieldValueRequired", "spec.selector: Required value" },
        { FieldError.Required("metadata.name", "name or generateName is required"), "FieldValueRequired", "metadata.name: Required value: name or generateName is required" },
        { FieldError.Invalid("spec.replicas", -1L, "must be greater than or equal to 0"), "FieldValueInvalid", "spec.replicas: Invalid value: -1: must be greater than or equal to 0" },
        { FieldError.NotSupported("spec.restartPolicy", "X", ["Always", "OnFailure", "Never"]), "FieldValueNotSupported", "spec.restartPolicy: Unsupported value: \"X\": supported values: \"Always\", \"OnFailure\", \"Never\"" },
        { FieldError.Duplicate("spec.containers[1].name", "a"), "FieldValueDuplicate", "spec.containers[1].name: Duplicate value: \"a\"" },
        { FieldError.Forbidden("metadata.namespace", "not allowed on this type"), "FieldValueForbidden", "metadata.namespace: Forbidden: not allowed on this type" },
        { FieldError.TooLong("metadata.annotations", 262144), "FieldValueTooLong", "metadata.annotations: Too long: may not be more than 262144 bytes" },
        { FieldError.TooMany("spec.items", 5, 3), "FieldValueTooMany", "spec.items: Too many: 5: must have at most 3 items" },
        { FieldError.NotFound("spec.containers[0].volumeMounts[0].name", "data"), "FieldValueNotFound", "spec.containers[0].volumeMounts[0].name: Not found: \"data\"" },
        { FieldError.Invalid("x", "a\"b\n", "d"), "FieldValueInvalid", "x: Invalid value: \"a\\\"b\\n\": d" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ToString_EachType_ReadsAsUpstream(FieldError error, string reason, string text)
    {
        Assert.Equal(reason, error.Reason);
        Assert.Equal(text, error.ToString());
        Assert.Equal(text[(error.Field.Length + 2)..], error.Message);
    }

    [Fact]
    public void Format_SingleError_NoBrackets() =>
        Assert.Equal("Pod \"p\" is invalid: spec.containers: Required value",
            InvalidObjectMessage.Format("Pod", "", "p", [FieldError.Required("spec.containers")]));

    [Fact]
    public void Format_SeveralErrors_BracketedAndDeduplicated() =>
        Assert.Equal("Deployment.apps \"web\" is invalid: [spec.selector: Required value, spec.replicas: Invalid value: -1: must be greater than or equal to 0]",
            InvalidObjectMessage.Format("Deployment", "apps", "web",
                [FieldError.Required("spec.selector"), FieldError.Invalid("spec.replicas", -1, "must be greater than or equal to 0"), FieldError.Required("spec.selector")]));
}
