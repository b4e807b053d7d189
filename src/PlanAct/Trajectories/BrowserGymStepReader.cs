using System.Runtime.CompilerServices;
using System.Text.Json;
using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.IO;

namespace PlanAct.Trajectories;

/// <summary>
/// Reads BrowserGym step records in the Go-Browse raw layout: a JSON array with one step per record
/// (<c>traj_data.goal</c> the task, <c>step_data.obs.axtree_txt</c> the page, <c>step_data.parsed_action</c> the action,
/// <c>step_data.thought</c> the agent's reasoning). Consecutive records of one <c>traj_data.traj_num</c> form one
/// trajectory, in <c>step_number</c> order; a trajectory that holds only some of its steps is read and reported.
/// </summary>
internal static class BrowserGymStepReader
{
    private const string What = "not a valid BrowserGym step-record JSON array";

    private sealed record Record(int Element, string Trajectory, string Task, int? StepNumber, int? Length, string? Domain, double? Reward, TrajectoryStep Step);

    public static async IAsyncEnumerable<Trajectory> ReadAsync(
        string path, TrajectoryReadOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var open = new List<Record>();
        var done = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var (index, element) in ForeignJson.ReadArrayAsync(path, What, options.ReplaceInvalidUtf8, cancellationToken))
        {
            if (Read(path, index, element, options.Problems) is not { } record)
            {
                continue;
            }

            if (open.Count > 0 && open[0].Trajectory != record.Trajectory)
            {
                yield return Close(path, open, done, options.Problems);
                open.Clear();
            }

            open.Add(record);
        }

        if (open.Count > 0)
        {
            yield return Close(path, open, done, options.Problems);
        }
    }

    private static Record? Read(string path, int index, JsonElement element, ProblemLog problems)
    {
        var location = new SourceLocation(path, Element: index);
        var trajectory = element.Get("traj_data");
        var step = element.Get("step_data");
        var task = trajectory?.Text("goal");
        var actionText = step?.Text("parsed_action");
        var error = (trajectory, step, task, actionText) switch
        {
            (null, _, _, _) => "not a BrowserGym step record: no \"traj_data\"",
            (_, null, _, _) => "not a BrowserGym step record: no \"step_data\"",
            (_, _, null or "", _) => "no task (traj_data.goal)",
            (_, _, _, null or "") => "no action (step_data.parsed_action)",
            _ => null,
        };
        if (error is not null)
        {
            problems.Error(location, error);
            return null;
        }

        WebAction action;
        try
        {
            action = ActionParser.Parse(actionText!, ActionGrammar.BrowserGym);
        }
        catch (ActionSyntaxException e)
        {
            problems.Error(location, $"bad action {actionText}: {e.Message}");
            return null;
        }

        var obs = step!.Value.Get("obs");
        var tree = obs?.Text("axtree_txt");
        var html = obs?.Text("pruned_html");
        var page = tree is { Length: > 0 }
            ? new TrajectoryStep(0, tree, action) { Observation = ObservationKind.AxTree, Url = Observation.UrlOf(tree, ObservationKind.AxTree) }
            : html is { Length: > 0 } ? new TrajectoryStep(0, html, action) { Observation = ObservationKind.Html } : TrajectoryStep.Missing(0, action);
        page = page with
        {
            Url = page.Url ?? element.Get("node_data")?.Text("node_url"),
            Reasoning = step.Value.Text("thought") is { Length: > 0 } thought ? thought.Trim() : null,
        };
        var number = trajectory!.Value.Text("traj_num") ?? task!;
        return new Record(index, number, task!, step.Value.Integer("step_number"), trajectory.Value.Integer("traj_length"),
            element.Get("graph_data")?.Text("domain"), trajectory.Value.Number("reward"), page);
    }

    private static Trajectory Close(string path, List<Record> records, Dictionary<string, int> done, ProblemLog problems)
    {
        var first = records[0];
        var location = new SourceLocation(path, Element: first.Element);
        var ordered = records.OrderBy(r => r.StepNumber ?? 0).ToList();
        var id = first.Trajectory;
        var seen = done.GetValueOrDefault(id);
        done[id] = seen + 1;
        if (seen > 0)
        {
            problems.Warn(location, $"trajectory {id} continues here after other trajectories; read as \"{id}#{seen + 1}\"");
            id = $"{id}#{seen + 1}";
        }

        var numbers = ordered.Select(r => r.StepNumber).OfType<int>().ToList();
        if (first.Length is { } length && (ordered.Count != length || (numbers.Count > 0 && numbers[0] != 0)))
        {
            problems.Warn(location, $"trajectory {id} holds {ordered.Count} of its {length} steps"
                + (numbers.Count > 0 ? $" (step_number {numbers[0]}..{numbers[^1]})" : ""));
        }

        var steps = ordered.Select((r, i) => r.Step with { Index = i }).ToEquatableList();
        var site = first.Domain is { Length: > 0 } domain ? domain : SiteDetector.Detect(steps[0].Html, steps[0].Url);
        return new Trajectory(id, site, first.Task, steps) { Grammar = ActionGrammar.BrowserGym, Source = location, Score = first.Reward };
    }
}
