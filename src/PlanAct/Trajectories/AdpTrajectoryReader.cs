using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.IO;

namespace PlanAct.Trajectories;

/// <summary>
/// Reads Agent Data Protocol (ADP) standardized files: a JSON array of <c>{id, content, details}</c> whose
/// <c>content</c> is one ordered list of events. The task is the first <c>text_observation</c>; every
/// <c>api_action</c> is one step (BrowserGym grammar, JSON-string <c>kwargs</c> decoded) on the
/// <c>web_observation</c> just before it (missing when there is none since the previous action), with the action's
/// <c>description</c> kept as the source agent's reasoning; a <c>message_action</c> becomes
/// <c>send_msg_to_user(...)</c>, which ends the trajectory when it is the last event. Ids repeated within a file are made
/// unique (<c>id#2</c>, …) and reported.
/// </summary>
internal static partial class AdpTrajectoryReader
{
    private const string What = "not a valid ADP standardized JSON array";

    public static async IAsyncEnumerable<Trajectory> ReadAsync(
        string path, TrajectoryReadOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var (index, element) in ForeignJson.ReadArrayAsync(path, What, options.ReplaceInvalidUtf8, cancellationToken))
        {
            var location = new SourceLocation(path, Element: index);
            if (Read(element, index, location, options.Problems) is not { } trajectory)
            {
                continue;
            }

            var seen = ids.GetValueOrDefault(trajectory.Id);
            ids[trajectory.Id] = seen + 1;
            if (seen > 0)
            {
                var unique = $"{trajectory.Id}#{seen + 1}";
                while (ids.ContainsKey(unique))
                {
                    unique += "'";
                }

                ids[unique] = 1;
                options.Problems.Warn(location, $"id \"{trajectory.Id}\" was used before in this file; read as \"{unique}\"");
                trajectory = trajectory with { Id = unique };
            }

            yield return trajectory;
        }
    }

    private static Trajectory? Read(JsonElement element, int index, SourceLocation location, ProblemLog problems)
    {
        if (element.Get("content") is not { ValueKind: JsonValueKind.Array } content)
        {
            problems.Error(location, "not an ADP trajectory: expected an object with a \"content\" list of events");
            return null;
        }

        var id = element.Text("id") is { Length: > 0 } given ? given : $"adp-{ForeignJson.Invariant(index)}";
        string? task = null;
        (string Text, ObservationKind Kind, string? Url)? page = null;
        var steps = new List<TrajectoryStep>();
        var events = content.EnumerateArray().ToList();
        for (var e = 0; e < events.Count; e++)
        {
            var item = events[e];
            var kind = item.Text("class_");
            switch (kind)
            {
                case "text_observation" when task is null:
                    task = TaskOf(item.Text("content") ?? "");
                    break;
                case "text_observation":
                    break;
                case "web_observation":
                    page = PageOf(item);
                    break;
                case "api_action" or "message_action":
                    if (ActionOf(item, kind, id, steps.Count, location, problems) is not { } action)
                    {
                        return null;
                    }

                    steps.Add(StepOf(steps.Count, action, page, item.Text("description")));
                    page = null;
                    break;
                case "code_action":
                    problems.Error(location, $"trajectory \"{id}\": event {e} is a code_action, which is not a browser action");
                    return null;
                default:
                    problems.Error(location, $"trajectory \"{id}\": event {e} has an unknown class_ \"{kind}\"");
                    return null;
            }
        }

        var error = (task, steps.Count) switch
        {
            (null or "", _) => "has no task (no text_observation)",
            (_, 0) => "has no actions (no api_action or message_action)",
            _ => null,
        };
        if (error is not null)
        {
            problems.Error(location, $"trajectory \"{id}\" {error}");
            return null;
        }

        var first = steps.FirstOrDefault(s => s.Observation != ObservationKind.Missing) ?? steps[0];
        var site = element.Get("details")?.Text("website") is { Length: > 0 } website ? website : SiteDetector.Detect(first.Html, first.Url);
        return new Trajectory(id, site, task!, steps.ToEquatableList()) { Grammar = ActionGrammar.BrowserGym, Source = location };
    }

    private static TrajectoryStep StepOf(int index, WebAction action, (string Text, ObservationKind Kind, string? Url)? page, string? reasoning)
    {
        var step = page is { } p ? new TrajectoryStep(index, p.Text, action) { Observation = p.Kind, Url = p.Url } : TrajectoryStep.Missing(index, action);
        return step with { Reasoning = string.IsNullOrWhiteSpace(reasoning) ? null : reasoning.Trim() };
    }

    private static (string Text, ObservationKind Kind, string? Url)? PageOf(JsonElement observation)
    {
        var url = observation.Text("url");
        if (observation.Text("axtree") is { Length: > 0 } tree)
        {
            return (tree, ObservationKind.AxTree, url ?? Observation.UrlOf(tree, ObservationKind.AxTree));
        }

        return observation.Text("html") is { Length: > 0 } html ? (html, Observation.Detect(html), url) : null;
    }

    private static WebAction? ActionOf(JsonElement item, string kind, string id, int step, SourceLocation location, ProblemLog problems)
    {
        if (kind == "message_action")
        {
            return BrowserGymGrammar.Create("send_msg_to_user", [new ActionArgument("text", item.Text("content") ?? "")]);
        }

        if (item.Text("function") is not { Length: > 0 } function)
        {
            problems.Error(location, $"trajectory \"{id}\": step {step}: api_action has no \"function\"");
            return null;
        }

        var arguments = new List<ActionArgument>();
        if (item.Get("kwargs") is { ValueKind: JsonValueKind.Object } kwargs)
        {
            foreach (var property in kwargs.EnumerateObject())
            {
                if (ArgumentOf(property.Name, property.Value) is { } argument)
                {
                    arguments.Add(argument);
                }
            }
        }

        try
        {
            return BrowserGymGrammar.Create(function, arguments);
        }
        catch (ActionSyntaxException e)
        {
            problems.Error(location, $"trajectory \"{id}\": step {step}: {function}(): {e.Reason}");
            return null;
        }
    }

    /// <summary>A keyword argument; ADP stores most values as JSON text inside the JSON (<c>"\"93\""</c>), which is decoded.</summary>
    private static ActionArgument? ArgumentOf(string name, JsonElement value, bool decode = true)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!;
            if (!decode)
            {
                return new ActionArgument(name, text);
            }

            try
            {
                using var inner = JsonDocument.Parse(text);
                return ArgumentOf(name, inner.RootElement.Clone(), decode: false);
            }
            catch (JsonException)
            {
                return new ActionArgument(name, text);
            }
        }

        return value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.True => new ActionArgument(name, "True") { Bare = true },
            JsonValueKind.False => new ActionArgument(name, "False") { Bare = true },
            JsonValueKind.Number => new ActionArgument(name, value.GetRawText()) { Bare = true },
            JsonValueKind.Array => new ActionArgument(name, ListOf(value)) { Bare = true },
            _ => new ActionArgument(name, value.GetRawText()),
        };
    }

    private static string ListOf(JsonElement array)
    {
        var sb = new StringBuilder("[");
        foreach (var item in array.EnumerateArray())
        {
            if (sb.Length > 1)
            {
                sb.Append(", ");
            }

            if (item.ValueKind == JsonValueKind.String)
            {
                ActionPrinter.AppendLiteral(sb, item.GetString(), '\'');
            }
            else
            {
                sb.Append(item.GetRawText());
            }
        }

        return sb.Append(']').ToString();
    }

    /// <summary>The task of a <c>text_observation</c>, taken out of an instruction sentence when it is wrapped in one ("Objective: …").</summary>
    internal static string TaskOf(string text)
    {
        var match = Objective().Match(text);
        return (match.Success ? match.Groups["task"].Value : text).Trim();
    }

    [GeneratedRegex(@"\bobjective:\s*(?<task>[^\n]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Objective();
}
