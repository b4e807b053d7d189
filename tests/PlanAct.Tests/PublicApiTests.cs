using PlanAct.Training.Profiles;

namespace PlanAct.Tests;

/// <summary>
/// The library is internal by default: what is public is the inference contract a .NET agent needs to run a model with
/// the prompt it was trained on. A new public type is a decision, made here.
/// </summary>
public sealed class PublicApiTests
{
    private static readonly string[] Contract =
    [
        "PlanAct.Html.ReferencePageView",
        "PlanAct.IO.EquatableList",
        "PlanAct.IO.EquatableList`1",
        "PlanAct.IO.InputException",
        "PlanAct.IO.SourceLocation",
        "PlanAct.Text.TokenCounter",
        "PlanAct.Training.ExampleMessage",
        "PlanAct.Training.MessageRole",
        "PlanAct.Training.Profiles.AgentRole",
        "PlanAct.Training.Profiles.AgentRoles",
        "PlanAct.Training.Profiles.AgentState",
        "PlanAct.Training.Profiles.AgentStateJson",
        "PlanAct.Training.Profiles.AnswerFormatException",
        "PlanAct.Training.Profiles.BuiltPrompt",
        "PlanAct.Training.Profiles.ExecutorRound",
        "PlanAct.Training.Profiles.ExecutorState",
        "PlanAct.Training.Profiles.ParsedAnswer",
        "PlanAct.Training.Profiles.PlannerState",
        "PlanAct.Training.Profiles.PromptProfile",
        "PlanAct.Training.Profiles.PromptSettings",
        "PlanAct.Training.Profiles.ReplannerState",
    ];

    [Fact]
    public void Only_the_inference_contract_is_public()
    {
        var exported = typeof(PromptProfile).Assembly.GetExportedTypes().Select(t => t.FullName!).Order(StringComparer.Ordinal);
        Assert.Equal(Contract, exported);
    }

    [Fact]
    public void The_command_line_assembly_exports_nothing() =>
        Assert.Empty(typeof(PlanAct.Cli.Program).Assembly.GetExportedTypes());
}
