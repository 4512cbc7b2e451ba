namespace Stevedore.Scheduler.Framework;

/// <summary>A node's score from one plugin (0..<see cref="NodeScore.MaxNodeScore"/> after normalization).</summary>
public record struct NodeScore(string Name, long Score)
{
    /// <summary>The highest score a plugin may give after NormalizeScore.</summary>
    public const long MaxNodeScore = 100;

    public const long MinNodeScore = 0;
}
