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
    /// <param name="format">The format to read every file as; null tells it from each file's content.</param>
    public static async Task<InspectReport> InspectAsync(
        string path, TokenCounter counter, bool replaceInvalidUtf8 = false, TrajectoryFormat? format = null, CancellationToken cancellationToken = default)
    {
        var problems = new ProblemLog(skipInvalid: true);
        var files = TrajectoryFiles.Expand(path);
        var stepsPer = new List<int>();
        var sites = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var actions = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var raw = new List<int>();
        var planner = new List<int>();
        var executor = new List<int>();
        var grammars = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var observations = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var unknownActions = 0;
        var options = new TrajectoryReadOptions { Problems = problems, ReplaceInvalidUtf8 = replaceInvalidUtf8, Format = format };
        await foreach (var trajectory in TrajectoryFiles.ReadAsync(path, options, cancellationToken))
        {
            stepsPer.Add(trajectory.Steps.Count);
            sites[trajectory.Site] = sites.GetValueOrDefault(trajectory.Site) + 1;
            grammars[trajectory.Grammar.Name()] = grammars.GetValueOrDefault(trajectory.Grammar.Name()) + 1;
            var location = trajectory.Source ?? new SourceLocation(path);
            if (!trajectory.Steps[^1].Action.Ends)
            {
                problems.Warn(location, $"trajectory \"{trajectory.Id}\" does not end with an answer or exit ({EndingCalls(trajectory.Grammar)})");
            }

            foreach (var step in trajectory.Steps)
            {
                actions[step.Action.Label] = actions.GetValueOrDefault(step.Action.Label) + 1;
                observations[step.Observation.Name()] = observations.GetValueOrDefault(step.Observation.Name()) + 1;
                unknownActions += step.Action.Kind == ActionKind.Unknown ? 1 : 0;
                foreach (var problem in step.Action.Problems())
                {
                    problems.Warn(location, $"trajectory \"{trajectory.Id}\" step {step.Index}: {problem}");
                }

                if (step.Action.Element is { } element && Observation.Shows(step.Html, step.Observation, element) == false)
                {
                    problems.Warn(location, $"trajectory \"{trajectory.Id}\" step {step.Index}: element \"{element}\" is not on the page");
                }

                if (step.Observation == ObservationKind.WebRlHtml && step.Html.Length == WebRlPageLimit)
                {
                    problems.Warn(location, $"trajectory \"{trajectory.Id}\" step {step.Index}: the page is {WebRlPageLimit} characters long, probably cut");
                }

                if (step.Observation == ObservationKind.Missing)
                {
                    continue;
                }

                raw.Add(counter.Count(step.Html));
                planner.Add(counter.Count(Observation.Planner(step.Html, step.Observation)));
                executor.Add(counter.Count(Observation.Executor(step.Html, step.Observation)));
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
            [.. problems.Problems])
        {
            Grammars = grammars,
            ObservationKinds = observations,
            UnknownActions = unknownActions,
        };
    }

    private static string EndingCalls(ActionGrammar grammar) => grammar switch
    {
        ActionGrammar.BrowserGym => "send_msg_to_user, stop or report_infeasible",
        ActionGrammar.WebVoyager => "ANSWER",
        _ => "exit(...)",
    };
}
