namespace Stevedore.ApiServer.Apply;

/// <summary>A field the applier wants to change that another manager owns with a different value.</summary>
/// <param name="Manager">The owning manager's name.</param>
/// <param name="ManagerDisplay">How upstream names it in messages, e.g. <c>"kubectl-client-side-apply" using apps/v1</c>.</param>
/// <param name="Path">The field in upstream display form, e.g. <c>.spec.replicas</c>.</param>
public sealed record ApplyConflict(string Manager, string Operation, string? ApiVersion, string? Subresource, string ManagerDisplay, string Path)
{
    /// <summary>The message of the <c>FieldManagerConflict</c> status cause (its field is <see cref="Path"/>).</summary>
    public string CauseMessage => $"conflict with {ManagerDisplay}";
}
