using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.IO;
using PlanAct.Text;
using PlanAct.Trajectories;

namespace PlanAct.Inspection;

/// <summary>
/// Reads every trajectory of an input, reporting problems rather than stopping at them (only unreadable input throws),
/// and summarizes sites, steps, actions and page sizes.
/// </summary>
internal static class Inspector
{
    /// <summary>WebRL cuts pages to this many characters; a page of exactly this length was probably cut.</summary>
    public const int WebRlPageLimit = 16_384 - 512;

    /// <param name="path">A trajectory file or a folder of them.</param>
    /// <param name="counter">Counts page tokens.</param>
    /// <param name="replaceInvalidUtf8">Whether bytes that are not UTF-8 are read as U+FFFD instead of stopping at their file and line.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    public static async Task<InspectReport> InspectAsync(string path, TokenCounter counter, bool replaceInvalidUtf8 = false, CancellationToken cancellationToken = default)
    {
        var problems = new ProblemLog(skipInvalid: true);
        var files = TrajectoryFiles.Expand(path);
        var stepsPer = new List<int>();
        var sites = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var actions = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var raw = new List<int>();
        var planner = new List<int>();
        var executor = new List<int>();
        await foreach (var trajectory in TrajectoryFiles.ReadAsync(path, new TrajectoryReadOptions { Problems = problems, ReplaceInvalidUtf8 = replaceInvalidUtf8 }, cancellationToken))
        {
            stepsPer.Add(trajectory.Steps.Count);
            sites[trajectory.Site] = sites.GetValueOrDefault(trajectory.Site) + 1;
            var location = trajectory.Source ?? new SourceLocation(path);
            if (trajectory.Steps[^1].Action.Kind != ActionKind.Exit)
            {
                problems.Warn(location, $"trajectory \"{trajectory.Id}\" does not end with exit(...)");
            }

            foreach (var step in trajectory.Steps)
            {
                actions[step.Action.Label] = actions.GetValueOrDefault(step.Action.Label) + 1;
                foreach (var problem in step.Action.Problems())
                {
                    problems.Warn(location, $"trajectory \"{trajectory.Id}\" step {step.Index}: {problem}");
                }

                if (step.Action.Element is { } element && !step.Html.Contains($"id=\"{element}\"", StringComparison.Ordinal))
                {
                    problems.Warn(location, $"trajectory \"{trajectory.Id}\" step {step.Index}: element \"{element}\" is not on the page");
                }

                if (step.Html.Length == WebRlPageLimit)
                {
                    problems.Warn(location, $"trajectory \"{trajectory.Id}\" step {step.Index}: the page is {WebRlPageLimit} characters long, probably cut");
                }

                var views = PageView.RenderViews(step.Html, PageView.Planner, PageView.Executor);
                raw.Add(counter.Count(step.Html));
                planner.Add(counter.Count(views[0]));
                executor.Add(counter.Count(views[1]));
            }
        }

        return new InspectReport(
            files,
            stepsPer.Count,
            stepsPer.Sum(),
            Distribution.Of(stepsPer),
            sites,
            actions,
            new PageTokenStats(counter.Encoding, Distribution.Of(raw), Distribution.Of(planner), Distribution.Of(executor)),
            [.. problems.Problems]);
    }
}
