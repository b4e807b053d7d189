using System.Text.Json;
using System.Text.RegularExpressions;
using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.IO;

namespace PlanAct.Trajectories;

/// <summary>
/// Reads a WebVoyager run (<c>interact_messages.json</c>): OpenAI chat messages where each user turn holds an
/// observation (an element list <c>[N]: &lt;tag&gt; "text";</c> and a screenshot) and each assistant turn a
/// <c>Thought: …</c> and an <c>Action: …</c>. Each assistant turn is one step on the user turn before it; an observation
/// replaced by "(Omitted in context.)" or given only as a screenshot is a missing one. The run's id is its folder's
/// name (<c>taskAmazon--0</c>), its task and start address come from the first user turn.
/// </summary>
internal static partial class WebVoyagerRunReader
{
    /// <summary>The file name WebVoyager gives a run's messages.</summary>
    public const string RunFileName = "interact_messages.json";

    public static async IAsyncEnumerable<Trajectory> ReadAsync(string path, TrajectoryReadOptions options, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var messages = new List<(int Index, string Role, string Text)>();
        await foreach (var (index, element) in ForeignJson.ReadArrayAsync(path, "not a valid WebVoyager message list", options.ReplaceInvalidUtf8, cancellationToken))
        {
            messages.Add((index, element.Text("role") ?? "", TextOf(element.Get("content"))));
        }

        if (Read(path, messages, options.Problems) is { } trajectory)
        {
            yield return trajectory;
        }
    }

    private static Trajectory? Read(string path, List<(int Index, string Role, string Text)> messages, ProblemLog problems)
    {
        var id = Path.GetFileName(path) == RunFileName && Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) is { Length: > 0 } folder
            ? folder
            : Path.GetFileNameWithoutExtension(path);
        var firstUser = messages.FindIndex(m => m.Role == "user");
        if (firstUser < 0)
        {
            problems.Error(new SourceLocation(path), "not a WebVoyager run: no user message");
            return null;
        }

        var opening = TaskLine().Match(messages[firstUser].Text);
        var task = opening.Success ? opening.Groups["task"].Value.Trim() : messages[firstUser].Text.Split("Observation:")[0].Trim();
        var start = opening.Success ? opening.Groups["url"].Value : null;
        var steps = new List<TrajectoryStep>();
        string? observation = null;
        foreach (var (index, role, text) in messages)
        {
            if (role == "user")
            {
                observation = text;
                continue;
            }

            if (role != "assistant")
            {
                continue;
            }

            var location = new SourceLocation(path, Element: index);
            var parts = AssistantTurn().Match(text);
            if (!parts.Success)
            {
                problems.Error(location, $"run \"{id}\": message {index} has no \"Action:\" line");
                return null;
            }

            WebAction action;
            try
            {
                action = ActionParser.Parse(parts.Groups["action"].Value, ActionGrammar.WebVoyager);
            }
            catch (ActionSyntaxException e)
            {
                problems.Error(location, $"run \"{id}\": message {index}: {e.Message}");
                return null;
            }

            var list = observation is null ? null : ElementList(observation);
            var step = list is null ? TrajectoryStep.Missing(steps.Count, action) : new TrajectoryStep(steps.Count, list, action) { Observation = ObservationKind.ElementList };
            steps.Add(step with
            {
                Url = steps.Count == 0 ? start : null,
                Reasoning = parts.Groups["thought"].Value.Trim() is { Length: > 0 } thought ? thought : null,
            });
            observation = null;
        }

        if (steps.Count == 0 || string.IsNullOrWhiteSpace(task))
        {
            problems.Error(new SourceLocation(path), steps.Count == 0 ? $"run \"{id}\" has no assistant action" : $"run \"{id}\" has no task");
            return null;
        }

        var site = SiteDetector.Detect(steps.FirstOrDefault(s => s.Observation != ObservationKind.Missing)?.Html ?? "", start);
        return new Trajectory(id, site, task, steps.ToEquatableList()) { Grammar = ActionGrammar.WebVoyager, Source = new SourceLocation(path) };
    }

    /// <summary>The element list of a user turn (from its first <c>[N]:</c>), or null when the turn shows none.</summary>
    private static string? ElementList(string text)
    {
        var match = ElementListStart().Match(text);
        return match.Success ? text[match.Index..].Trim() : null;
    }

    private static string TextOf(JsonElement? content) => content switch
    {
        { ValueKind: JsonValueKind.String } s => s.GetString()!,
        { ValueKind: JsonValueKind.Array } parts => string.Join("\n", parts.EnumerateArray().Where(p => p.Text("type") == "text").Select(p => p.Text("text") ?? "")),
        _ => "",
    };

    [GeneratedRegex(@"given a task:\s*(?<task>.*?)\s*Please interact with\s+(?<url>\S+?)\s+and get the answer", RegexOptions.Singleline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TaskLine();

    [GeneratedRegex(@"\A\s*(?:Thought:)?\s*(?<thought>.*)\bAction:\s*(?<action>.*?)\s*\z", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex AssistantTurn();

    [GeneratedRegex(@"(?<=^|\n)\[\d+\]:", RegexOptions.CultureInvariant)]
    private static partial Regex ElementListStart();
}
