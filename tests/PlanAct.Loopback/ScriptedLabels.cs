using System.Text.RegularExpressions;

namespace PlanAct.Loopback;

/// <summary>A scripted classifying teacher (classify prompts): reads the class names a request lists and answers with one.</summary>
public static partial class ScriptedLabels
{
    [GeneratedRegex(@"^### (\S+)$", RegexOptions.Multiline)]
    private static partial Regex ClassLine();

    /// <summary>The class names the request lists, in order.</summary>
    public static IReadOnlyList<string> Classes(ReceivedRequest request) =>
        [.. ClassLine().Matches(ScriptedPairs.UserMessage(request)).Select(m => m.Groups[1].Value)];

    public static LoopbackReply Answer(string className, string reasoning = "The task needs the part of the site this class is about.") =>
        new LoopbackReply.Answer($"## Reasoning\n{reasoning}\n\n## Classification\n{className}\n");
}
