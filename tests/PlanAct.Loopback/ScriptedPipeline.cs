namespace PlanAct.Loopback;

/// <summary>
/// A teacher for a whole pipeline run: tells the stages' requests apart by their system message and answers each
/// with its stage's scripted valid answer (a thinking round's with <see cref="ScriptedPlans.Rewrite"/>). Classification labels every site's record with the site's first class,
/// except reddit's, which are Other (so augment has fewer seeds than classify has records).
/// </summary>
public static class ScriptedPipeline
{
    public static string SystemMessage(ReceivedRequest request) => request.Body["messages"]!.AsArray()[0]!["content"]!.ToString();

    /// <summary>An annotate request (grounded plan for a whole trajectory), first attempt or re-ask.</summary>
    public static bool IsAnnotate(ReceivedRequest request) => SystemMessage(request).StartsWith("You write grounded plans", StringComparison.Ordinal);

    public static LoopbackReply Answer(ReceivedRequest request)
    {
        var system = SystemMessage(request);
        return ScriptedPlans.IsRewrite(request) ? new LoopbackReply.Answer(ScriptedPlans.Rewrite(request))
            : system.StartsWith("You help decide which extra training data", StringComparison.Ordinal)
                ? ScriptedPairs.Site(request) == "reddit" ? ScriptedLabels.Answer("Other") : ScriptedLabels.Answer(ScriptedLabels.Classes(request)[0])
            : system.StartsWith("You write targeted training data", StringComparison.Ordinal) || system.StartsWith("You write new training data", StringComparison.Ordinal)
                ? ScriptedPairs.Valid(request)
            : ScriptedExecutor.IsExecutorRequest(request) ? ScriptedExecutor.Valid(request)
            : ScriptedReplans.ValidForEither(request);
    }

    /// <summary>
    /// A teacher for a CoT pipeline and the outcome judge, every answer dressed as chat models dress them
    /// (<see cref="ScriptedDressing"/>): descriptions and rewrites as <see cref="ScriptedPlans.ValidCot"/>, verdicts as
    /// <see cref="ScriptedTasks.JudgeEven"/>, the rest as <see cref="Answer"/>.
    /// </summary>
    public static LoopbackReply DressedCotAnswer(ReceivedRequest request) => ScriptedDressing.Dress(
        ScriptedPlans.IsDescribe(request) || ScriptedPlans.IsRewrite(request) ? ScriptedPlans.ValidCot(request)
        : SystemMessage(request).StartsWith("You judge whether", StringComparison.Ordinal) ? ScriptedTasks.JudgeEven(request)
        : Answer(request));
}
