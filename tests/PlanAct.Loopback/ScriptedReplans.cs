using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PlanAct.Loopback;

/// <summary>
/// A scripted replanning teacher: reads which actions a replan request leaves to take (its last request message,
/// "## Actions still to take (k, numbered r to m)") and answers with a plan over them, or a plan grounding the wrong range.
/// </summary>
public static partial class ScriptedReplans
{
    [GeneratedRegex(@"## Actions still to take \((\d+), numbered (\d+) to (\d+)\)")]
    private static partial Regex RemainingLine();

    /// <summary>True for a replan request (the rules of the replan stage are its system message).</summary>
    public static bool IsReplan(ReceivedRequest request) =>
        request.Body["messages"]!.AsArray()[0]!["content"]!.ToString().Contains("grounded replans", StringComparison.Ordinal);

    /// <summary>The actions the request asks a plan for: from the round to the last action.</summary>
    public static (int First, int Last) Remaining(ReceivedRequest request)
    {
        var match = request.Body["messages"]!.AsArray()
            .Where(m => (string?)m!["role"] == "user")
            .Select(m => RemainingLine().Match(m!["content"]!.ToString()))
            .Last(m => m.Success);
        return (int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>The round a request asks for.</summary>
    public static int Round(ReceivedRequest request) => Remaining(request).First;

    /// <summary>A valid replan: the first remaining action alone, then the rest together.</summary>
    public static string ValidPlan(int first, int last)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"## Step 1\nReasoning: The current page shows where things stand after {first} actions.\nDescription: Take action {first}.\nStep: Go on from this page.\nActions: [{first}]\n");
        if (last > first)
        {
            var rest = string.Join(", ", Enumerable.Range(first + 1, last - first));
            text.Append(CultureInfo.InvariantCulture, $"\n## Step 2\nReasoning: What remains finishes the task.\nDescription: Take the remaining actions.\nStep: Finish the task.\nActions: [{rest}]\n");
        }

        return text.ToString();
    }

    /// <summary>A plan grounding the whole trajectory from action 0, as if nothing had been done yet.</summary>
    public static string WrongRange(int last) =>
        $"## Step 1\nReasoning: Start over from the beginning.\nDescription: Take every action.\nStep: Do the task.\nActions: [{string.Join(", ", Enumerable.Range(0, last + 1))}]\n";

    public static LoopbackReply Valid(ReceivedRequest request)
    {
        var (first, last) = Remaining(request);
        return new LoopbackReply.Answer(ValidPlan(first, last));
    }

    /// <summary>A valid replan after a thinking block, as a reasoning teacher writes it.</summary>
    public static LoopbackReply ValidWithThinking(ReceivedRequest request)
    {
        var (first, last) = Remaining(request);
        return new LoopbackReply.Answer($"<think>Round {first}: actions {first} to {last} remain.</think>\n{ValidPlan(first, last)}");
    }

    /// <summary>A scripted CoT replanner: grounded rounds by <see cref="ValidWithThinking"/>, thinking rounds by <see cref="ScriptedPlans.Rewrite"/>.</summary>
    public static LoopbackReply ValidCot(ReceivedRequest request) =>
        ScriptedPlans.IsRewrite(request) ? new LoopbackReply.Answer(ScriptedPlans.Rewrite(request)) : ValidWithThinking(request);

    /// <summary>True when the last message is a re-ask (the teacher's earlier answer was rejected).</summary>
    public static bool IsReask(ReceivedRequest request) => request.LastUserMessage.StartsWith("That answer cannot be used", StringComparison.Ordinal);

    /// <summary>Valid answers for annotate and replan requests alike: what a CLI run of both stages needs.</summary>
    public static LoopbackReply ValidForEither(ReceivedRequest request) => IsReplan(request) ? Valid(request) : ScriptedPlans.Valid(request);
}
