using PlanAct.Plans;
using PlanAct.Teacher;

namespace PlanAct.Stages;

/// <summary>
/// Every answer format a teacher writes for PlanAct, as its tolerant reading sees it (<see cref="AnswerForm"/>): the
/// stages read each answer through its form before their parser and validator see it, and re-ask with its example.
/// </summary>
internal static class AnswerForms
{
    private static readonly string[] PlanFields = ["Reasoning", "Description", "Step", "Actions"];

    /// <summary>A grounded plan (annotate, the CoT reduce round, replan): every step with its <c>Actions:</c> list.</summary>
    public static AnswerForm GroundedPlan { get; } = new(
        "a grounded plan",
        """
        ## Step 1
        Reasoning: The home page has a search box, so the search starts there.
        Description: Searched for the product.
        Step: Search for the product.
        Actions: [0, 1]

        ## Step 2
        Reasoning: The results list the product; its page holds the answer.
        Description: Opened the first result.
        Step: Open the product and read the answer.
        Actions: [2]
        """,
        numberedHeadings: ["Step"],
        fields: PlanFields,
        indexLists: ["Actions"],
        closing: ["Actions", "Step"]);

    /// <summary>Generated pairs (expand, augment): <c>## Data Pair i</c> blocks, each with its query, seed and plan.</summary>
    public static AnswerForm DataPairs { get; } = new(
        "data pairs",
        """
        ## Data Pair 1
        User Query: Find the price of the cheapest blue mug.
        Initial HTML State: 1
        Global Plan:
        ## Step 1
        Reasoning: The home page has a search box.
        Step: Search for blue mugs.

        ## Step 2
        Reasoning: The results can be sorted by price.
        Step: Sort by price and read the first price.
        """,
        numberedHeadings: ["Data Pair", "Step"],
        fields: ["User Query", "Initial HTML State", "Global Plan", .. PlanFields],
        closing: ["Step"]);

    /// <summary>The CoT rewrite: <c>## Thinking</c>, then the plan's steps with <c>Reasoning:</c> and <c>Step:</c>.</summary>
    public static AnswerForm Rewrite { get; } = new(
        "a rewritten plan",
        """
        ## Thinking
        The task asks for a price; the first page has a search box, so I start there.

        ## Step 1
        Reasoning: The search box is the quickest way to the product.
        Step: Search for the product.
        """,
        numberedHeadings: ["Step"],
        sections: ["Thinking"],
        fields: ["Reasoning", "Step"],
        closing: ["Step"]);

    /// <summary>The CoT description of one action: one or two plain sentences.</summary>
    public static AnswerForm Description { get; } = new(
        "an action description",
        "The agent typed \"blue mug\" into the search box and the results page opened.",
        label: "Description");

    /// <summary>A failure classification (classify): <c>## Reasoning</c>, then <c>## Classification</c> with one class name.</summary>
    public static AnswerForm Classification { get; } = new(
        "a classification",
        """
        ## Reasoning
        The task needs the site's search, which the first class is about.

        ## Classification
        <one class name exactly as listed, or Other>
        """,
        sections: ["Reasoning", "Classification"],
        closing: ["Classification"]);

    /// <summary>The CoT executor's answer (act --cot): <c>## Reasoning</c>, then <c>## Action</c> with the action taken.</summary>
    public static AnswerForm ExecutorReasoning { get; } = new(
        "an executor turn",
        """
        ## Reasoning
        The plan's first step is to search, and the page shows the search box.

        ## Action
        # Element: the search box
        do(action="Search", argument="blue mug", element="12")
        """,
        sections: ["Reasoning", "Action"],
        closing: ["Action"]);

    /// <summary>A YES/NO judgement (tasks judge, the feasibility filter): <c>Verdict:</c> and <c>Reason:</c>.</summary>
    public static AnswerForm Verdict { get; } = new(
        "a verdict",
        """
        Verdict: YES
        Reason: The last page shows the order saved with the requested address.
        """,
        fields: ["Verdict", "Reason"],
        closing: ["Verdict", "Reason"]);

    /// <summary>Reads a grounded plan through <see cref="GroundedPlan"/> and checks that it covers actions <paramref name="first"/>..<paramref name="end"/> − 1.</summary>
    public static Checked<Plan> CheckGrounded(string answer, int first, int end) => GroundedPlan.Check(answer, text =>
    {
        var (plan, error) = PlanValidator.ParseGrounded(text, first, end);
        return plan is not null ? Checked<Plan>.Ok(plan) : Checked<Plan>.Fail(error!);
    });
}
