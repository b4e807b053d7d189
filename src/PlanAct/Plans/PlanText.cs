using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PlanAct.IO;

namespace PlanAct.Plans;

internal enum PlanTextStyle
{
    /// <summary>Every field: <c>Reasoning</c>, <c>Description</c>, <c>Step</c>, <c>Actions</c> (what the annotator asks for).</summary>
    Grounded,

    /// <summary><c>Reasoning</c> and <c>Step</c> only: the planner's training target.</summary>
    Target,
}

/// <summary>A parsed plan, or the errors that stopped it, worded so they can be sent back to a teacher as they are.</summary>
internal sealed record PlanParseResult(Plan? Plan, IReadOnlyList<string> Errors)
{
    public bool Success => Plan is not null && Errors.Count == 0;
}

/// <summary>Parses and prints plans in the <c>## Step N</c> / <c>Reasoning:</c> / <c>Description:</c> / <c>Step:</c> / <c>Actions: [..]</c> text format.</summary>
internal static partial class PlanText
{
    public const string FormatHint =
        "Answer with blocks '## Step 1', '## Step 2', … each holding the lines 'Reasoning:', 'Description:', 'Step:' and 'Actions: [i, j, …]'.";

    private static readonly string[] FieldOrder = ["Reasoning", "Description", "Step", "Actions"];

    [GeneratedRegex(@"^[ \t]*#{1,6}[ \t]*(?:\*\*)?[ \t]*Step[ \t]+(\d+)[ \t]*:?[ \t]*(?:\*\*)?[ \t]*$", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex StepHeader();

    [GeneratedRegex(@"^[ \t]*(?:[-*][ \t]+)?(?:\*\*)?(Reasoning|Description|Step|Actions)(?:\*\*)?[ \t]*:(?:\*\*)?[ \t]*(.*)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FieldLine();

    /// <summary>Where the first <c>## Step N</c> header starts, or -1 (the text before it is not part of the plan).</summary>
    public static int IndexOfFirstStep(string text) => StepHeader().Match(text) is { Success: true } m ? m.Index : -1;

    /// <summary>Parses plan text. With <paramref name="grounded"/>, <c>Description</c> and <c>Actions</c> are required too.</summary>
    public static PlanParseResult Parse(string text, bool grounded = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var headers = StepHeader().Matches(text);
        if (headers.Count == 0)
        {
            return new(null, ["No '## Step N' blocks were found. " + FormatHint]);
        }

        var errors = new List<string>();
        var steps = new List<PlanStep>(headers.Count);
        for (var i = 0; i < headers.Count; i++)
        {
            var number = int.Parse(headers[i].Groups[1].ValueSpan, CultureInfo.InvariantCulture);
            if (number != i + 1)
            {
                errors.Add($"Steps must be numbered 1, 2, 3, … in order: found '## Step {number}' where '## Step {i + 1}' was expected.");
            }

            var start = headers[i].Index + headers[i].Length;
            var end = i + 1 < headers.Count ? headers[i + 1].Index : text.Length;
            if (ParseStep(number, text[start..end], grounded, errors) is { } step)
            {
                steps.Add(step);
            }
        }

        return errors.Count == 0 ? new(new Plan(steps.ToEquatableList()), errors) : new(null, errors);
    }

    private static PlanStep? ParseStep(int number, string block, bool grounded, List<string> errors)
    {
        var fields = new Dictionary<string, StringBuilder>(StringComparer.OrdinalIgnoreCase);
        StringBuilder? current = null;
        foreach (var line in block.Split('\n'))
        {
            var match = FieldLine().Match(line.TrimEnd('\r'));
            if (match.Success)
            {
                var name = FieldOrder.First(f => f.Equals(match.Groups[1].Value, StringComparison.OrdinalIgnoreCase));
                if (fields.ContainsKey(name))
                {
                    errors.Add($"Step {number} has more than one '{name}:' line.");
                    current = null;
                    continue;
                }

                fields[name] = current = new StringBuilder(match.Groups[2].Value);
            }
            else if (current is not null)
            {
                current.Append('\n').Append(line.TrimEnd('\r'));
            }
            else if (!string.IsNullOrWhiteSpace(line))
            {
                errors.Add($"Step {number} has text before its 'Reasoning:' line: \"{Shorten(line.Trim())}\".");
            }
        }

        var before = errors.Count;
        string? Field(string name, bool required)
        {
            var value = fields.TryGetValue(name, out var sb) ? sb.ToString().Trim() : null;
            if (value is null)
            {
                if (required)
                {
                    errors.Add($"Step {number} has no '{name}:' line.");
                }
            }
            else if (value.Length == 0 && required)
            {
                errors.Add($"Step {number} has an empty '{name}:' line.");
            }

            return value;
        }

        var reasoning = Field("Reasoning", true);
        var description = Field("Description", grounded);
        var step = Field("Step", true);
        var actionsText = Field("Actions", grounded);
        EquatableList<int>? actions = null;
        if (!string.IsNullOrEmpty(actionsText))
        {
            actions = ParseActions(actionsText);
            if (actions is null)
            {
                errors.Add($"Step {number}: 'Actions:' must be a list of action indices such as [3, 4, 5]; got \"{Shorten(actionsText)}\".");
            }
        }

        return errors.Count == before ? new PlanStep(number, reasoning!, description, step!, actions) : null;
    }

    private static EquatableList<int>? ParseActions(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length < 2 || trimmed[0] != '[' || trimmed[^1] != ']')
        {
            return null;
        }

        var inner = trimmed[1..^1];
        if (string.IsNullOrWhiteSpace(inner))
        {
            return EquatableList<int>.Empty;
        }

        var values = new List<int>();
        foreach (var part in inner.Split(','))
        {
            if (!int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return null;
            }

            values.Add(value);
        }

        return values.ToEquatableList();
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    public static string Format(Plan plan, PlanTextStyle style = PlanTextStyle.Grounded)
    {
        var sb = new StringBuilder();
        foreach (var step in plan.Steps)
        {
            if (sb.Length > 0)
            {
                sb.Append('\n');
            }

            sb.Append("## Step ").Append(step.Number).Append('\n');
            sb.Append("Reasoning: ").Append(step.Reasoning).Append('\n');
            if (style == PlanTextStyle.Grounded && step.Description is not null)
            {
                sb.Append("Description: ").Append(step.Description).Append('\n');
            }

            sb.Append("Step: ").Append(step.Step).Append('\n');
            if (style == PlanTextStyle.Grounded && step.Actions is not null)
            {
                sb.Append("Actions: [").AppendJoin(", ", step.Actions).Append("]\n");
            }
        }

        return sb.ToString();
    }
}
