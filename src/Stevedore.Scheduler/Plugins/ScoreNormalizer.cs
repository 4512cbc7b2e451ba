using Stevedore.Scheduler.Framework;

namespace Stevedore.Scheduler.Plugins;

/// <summary>Score normalizations shared by plugins (upstream helper.DefaultNormalizeScore).</summary>
public static class ScoreNormalizer
{
    /// <summary>
    /// Scales scores so the highest becomes 100; with <paramref name="reverse"/> the highest becomes 0
    /// and the lowest 100. All-zero scores become 0 (or 100 when reversed).
    /// </summary>
    public static void Default(NodeScore[] scores, bool reverse)
    {
        long max = 0;
        foreach (var s in scores)
        {
            max = Math.Max(max, s.Score);
        }

        for (var i = 0; i < scores.Length; i++)
        {
            var value = max == 0 ? 0 : NodeScore.MaxNodeScore * scores[i].Score / max;
            scores[i].Score = reverse ? NodeScore.MaxNodeScore - value : value;
        }
    }
}
