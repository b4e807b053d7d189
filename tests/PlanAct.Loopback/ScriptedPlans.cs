using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PlanAct.Loopback;

/// <summary>A scripted annotating teacher (tests and the teacher benchmark): reads how many actions a request shows and answers with a plan over them.</summary>
public static partial class ScriptedPlans
{
    [GeneratedRegex(@"## Actions taken \((\d+), numbered")]
    private static partial Regex ActionCountLine();

    [GeneratedRegex(@"^Step: (.*)$", RegexOptions.Multiline)]
    private static partial Regex StepLine();

    /// <summary>What the scripted CoT teacher says an action did.</summary>
    public const string Description = "The agent used the element named in its comment and the page moved on.";

    public static int ActionCount(ReceivedRequest request) =>
        int.Parse(ActionCountLine().Match(request.Body["messages"]!.AsArray()[1]!["content"]!.ToString()).Groups[1].Value, CultureInfo.InvariantCulture);

    /// <summary>A valid grounded plan: the first action alone, then the rest together.</summary>
    public static string ValidPlan(int actions)
    {
        var text = new StringBuilder();
        text.Append("## Step 1\nReasoning: The first page shows where to start.\nDescription: Take the first action.\nStep: Start the task.\nActions: [0]\n");
        if (actions > 1)
        {
            var rest = string.Join(", ", Enumerable.Range(1, actions - 1));
            text.Append(CultureInfo.InvariantCulture, $"\n## Step 2\nReasoning: What remains finishes the task.\nDescription: Take the remaining actions.\nStep: Finish the task.\nActions: [{rest}]\n");
        }

        return text.ToString();
    }

    /// <summary>A plan whose Actions lists leave out the last action.</summary>
    public static string BrokenPartition(int actions) =>
        $"## Step 1\nReasoning: The first page shows where to start.\nDescription: Start.\nStep: Start the task.\nActions: [{string.Join(", ", Enumerable.Range(0, Math.Max(1, actions - 1)))}]\n";

    public static LoopbackReply Valid(ReceivedRequest request) => new LoopbackReply.Answer(ValidPlan(ActionCount(request)));

    /// <summary>The first user message: the request as the stage built it, before any re-ask.</summary>
    public static string Prompt(ReceivedRequest request) => request.Body["messages"]!.AsArray()[1]!["content"]!.ToString();

    public static bool IsDescribe(ReceivedRequest request) => Prompt(request).Contains("What did action", StringComparison.Ordinal);

    /// <summary>True for a thinking round (annotate's rewrite, replan's CoT round, the reasoning of generated plans).</summary>
    public static bool IsRewrite(ReceivedRequest request) =>
        request.Body["messages"]!.AsArray()[0]!["content"]!.ToString().StartsWith("You write the thinking of a", StringComparison.Ordinal);

    /// <summary>A valid thinking answer for the plan the request ends with: a thinking section, then its steps with new reasoning.</summary>
    public static string Rewrite(ReceivedRequest request)
    {
        var text = new StringBuilder("## Thinking\nThe task names what to find; the first page offers the way in, so the plan starts there.\n");
        var number = 0;
        var prompt = Prompt(request);
        foreach (Match step in StepLine().Matches(prompt[prompt.LastIndexOf("\n## The plan", StringComparison.Ordinal)..]))
        {
            text.Append(CultureInfo.InvariantCulture, $"\n## Step {++number}\nReasoning: Seen from the first page, this step comes next.\nStep: {step.Groups[1].Value}\n");
        }

        return text.ToString();
    }

    /// <summary>A scripted CoT annotator: describes each action, reduces to <see cref="ValidPlan"/>, rewrites with <see cref="Rewrite"/>.</summary>
    public static LoopbackReply ValidCot(ReceivedRequest request) =>
        IsDescribe(request) ? new LoopbackReply.Answer(Description)
        : IsRewrite(request) ? new LoopbackReply.Answer(Rewrite(request))
        : Valid(request);

    /// <summary>True when the conversation already carries a re-ask (the teacher's earlier answer was rejected).</summary>
    public static bool IsReask(ReceivedRequest request) => request.Body["messages"]!.AsArray().Count > 2;
}
