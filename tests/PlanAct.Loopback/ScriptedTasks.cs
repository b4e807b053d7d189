using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PlanAct.Loopback;

/// <summary>
/// A scripted teacher for task generation, the feasibility filter and the outcome judge. A generation answer holds, in
/// order: a copy of the first example, the second example with a word added (a near-duplicate), an infeasible task
/// ("Teleport …"), then fresh tasks whose words come from a hash of the request (so no two requests repeat them).
/// </summary>
public static partial class ScriptedTasks
{
    /// <summary>The word that makes the feasibility filter say NO.</summary>
    public const string Infeasible = "Teleport";

    [GeneratedRegex(@"## Example tasks on this site\n((?:\d+\. .*\n?)+)")]
    private static partial Regex ExampleBlock();

    [GeneratedRegex(@"Write (\d+) new tasks")]
    private static partial Regex CountLine();

    [GeneratedRegex(@"## Actions taken \((\d+), numbered")]
    private static partial Regex ActionCountLine();

    private static string System(ReceivedRequest request) => request.Body["messages"]!.AsArray()[0]!["content"]!.ToString();

    public static bool IsGeneration(ReceivedRequest request) => System(request).StartsWith("You invent new tasks", StringComparison.Ordinal);

    public static bool IsFeasibility(ReceivedRequest request) => System(request).StartsWith("You decide whether a task can be carried out", StringComparison.Ordinal);

    public static bool IsJudge(ReceivedRequest request) => System(request).StartsWith("You judge whether a web agent succeeded", StringComparison.Ordinal);

    /// <summary>The example tasks a generation request shows.</summary>
    public static IReadOnlyList<string> Examples(ReceivedRequest request) =>
        [.. ExampleBlock().Match(request.LastUserMessage).Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[(l.IndexOf(". ", StringComparison.Ordinal) + 2)..])];

    public static LoopbackReply Generate(ReceivedRequest request)
    {
        var examples = Examples(request);
        var count = int.Parse(CountLine().Match(request.LastUserMessage).Groups[1].Value, CultureInfo.InvariantCulture);
        var hash = examples.Aggregate(17L, (h, e) => e.Aggregate(h, (x, c) => ((x * 31) + c) % 1_000_000_007));
        var tasks = new List<string> { examples[0], examples[1] + " please", $"{Infeasible} the user to the moon" };
        for (var i = 0; tasks.Count < count; i++)
        {
            tasks.Add($"Find the {string.Join(" ", Enumerable.Range(0, 4).Select(k => $"zq{(hash + (i * 7919) + (k * 104729)) % 1_000_003:x}"))}");
        }

        var text = new StringBuilder();
        foreach (var (task, i) in tasks.Select((t, i) => (t, i)))
        {
            text.Append(CultureInfo.InvariantCulture, $"{i + 1}. {task}\n");
        }

        return new LoopbackReply.Answer(text.ToString());
    }

    public static LoopbackReply Feasibility(ReceivedRequest request) => new LoopbackReply.Answer(
        request.LastUserMessage.Contains(Infeasible, StringComparison.Ordinal)
            ? "Verdict: NO\nReason: The site cannot move people."
            : "Verdict: YES\nReason: The site offers this.");

    /// <summary>How many actions a judge request shows.</summary>
    public static int ActionCount(ReceivedRequest request) =>
        int.Parse(ActionCountLine().Match(request.Body["messages"]!.AsArray()[1]!["content"]!.ToString()).Groups[1].Value, CultureInfo.InvariantCulture);

    /// <summary>A judge that says YES exactly for trajectories with an even number of actions.</summary>
    public static LoopbackReply JudgeEven(ReceivedRequest request) => new LoopbackReply.Answer(
        ActionCount(request) % 2 == 0 ? "Verdict: YES\nReason: The last page shows the task done." : "Verdict: NO\nReason: The agent stopped early.");
}
