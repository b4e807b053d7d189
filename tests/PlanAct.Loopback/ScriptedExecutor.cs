using System.Text.RegularExpressions;

namespace PlanAct.Loopback;

/// <summary>A scripted CoT executor teacher: reads the action a request shows and answers with reasoning and that action.</summary>
public static partial class ScriptedExecutor
{
    public const string Reasoning = "The plan's current step needs this element, and the page shows it.";

    [GeneratedRegex(@"## The action taken at this turn \(action (\d+)\)\n(.*?)\n\nWrite the reasoning", RegexOptions.Singleline)]
    private static partial Regex ActionSection();

    public static bool IsExecutorRequest(ReceivedRequest request) => ActionSection().IsMatch(ScriptedPlans.Prompt(request));

    /// <summary>The action the request says was taken, as printed in the prompt.</summary>
    public static string ActionOf(ReceivedRequest request) => ActionSection().Match(ScriptedPlans.Prompt(request)).Groups[2].Value;

    /// <summary>The step number the request is about.</summary>
    public static int StepOf(ReceivedRequest request) => int.Parse(ActionSection().Match(ScriptedPlans.Prompt(request)).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    public static string Answer(string action) => $"## Reasoning\n{Reasoning}\n\n## Action\n{action}\n";

    public static LoopbackReply Valid(ReceivedRequest request) => new LoopbackReply.Answer(Answer(ActionOf(request)));
}
