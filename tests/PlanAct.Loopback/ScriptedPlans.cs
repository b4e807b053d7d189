using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PlanAct.Loopback;

/// <summary>A scripted annotating teacher (tests and the teacher benchmark): reads how many actions a request shows and answers with a plan over them.</summary>
public static partial class ScriptedPlans
{
    [GeneratedRegex(@"## Actions taken \((\d+), numbered")]
    private static partial Regex ActionCountLine();

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

    /// <summary>True when the conversation already carries a re-ask (the teacher's earlier answer was rejected).</summary>
    public static bool IsReask(ReceivedRequest request) => request.Body["messages"]!.AsArray().Count > 2;
}
