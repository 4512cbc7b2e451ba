namespace ControlPlaneBench;

/// <summary>Which scenarios a run includes.</summary>
[Flags]
public enum ScenarioSet
{
    Scheduler = 1,
    Deployment = 2,
    All = Scheduler | Deployment,
}
