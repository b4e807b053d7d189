using PlanAct.Actions;
using PlanAct.Export;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Training;
using PlanAct.Training.Profiles;
using PlanAct.Trajectories;

namespace PlanAct.Tests.Training.Profiles;

/// <summary>
/// The contract between training and inference: for every exported example of every role under both built-in
/// profiles, the prompt rebuilt from the agent's state (through its JSON, as <c>planact prompt</c> reads it) is the
/// example's prompt, and parsing its target gives back its plan or action and its reasoning.
/// </summary>
public class ProfileRoundTripTests
{
    public static TheoryData<string> Profiles => [.. PromptProfile.BuiltInNames];

    private static string PlanText(Plan plan) => PlanAct.Plans.PlanText.Format(plan, PlanTextStyle.Target).TrimEnd();

    private static string Reasoning(Trajectory trajectory, int step) => $"Step {step} of {trajectory.Id}: the page shows what the action needs.";

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task Every_exported_example_is_the_prompt_of_its_state_and_its_target_parses_back(string profileName)
    {
        var profile = PromptProfile.Load(profileName);
        var trajectories = await TestPlans.SampleTrajectoriesAsync();
        var dir = TestPaths.TempDir();
        var plans = trajectories.Select(t => TestPlans.For(t) with { Reasoning = $"The task of {t.Id} needs a plan." }).ToList();
        var replans = trajectories.Select(TestPlans.ReplansFor).ToList();
        var builder = new ExecutorExamples(new ExamplePageOptions());
        var executor = trajectories.Zip(plans).SelectMany(p => builder.Build(new PlannedTrajectory(p.First, p.Second.Id, p.Second.Plan))
            .Select(e => e with { Reasoning = Reasoning(p.First, e.Source.Step!.Value) }));
        var dynamic = trajectories.Zip(replans).SelectMany(p => builder.BuildDynamic(p.First, p.Second)
            .Select(e => e with { Reasoning = Reasoning(p.First, e.Source.Step!.Value) }));

        var files = new Dictionary<AgentRole, string>
        {
            [AgentRole.Planner] = await TestPlans.WriteAsync(Path.Combine(dir, "plans.jsonl"), plans),
            [AgentRole.Replanner] = Path.Combine(dir, "replans.jsonl"),
            [AgentRole.Executor] = Path.Combine(dir, "executor.jsonl"),
            [AgentRole.DynamicExecutor] = Path.Combine(dir, "dynamic.jsonl"),
        };
        await File.WriteAllLinesAsync(files[AgentRole.Replanner], replans.Select(ReplanJsonl.Format));
        await ExampleJsonl.WriteAsync(files[AgentRole.Executor], executor.ToAsyncEnumerable());
        await ExampleJsonl.WriteAsync(files[AgentRole.DynamicExecutor], dynamic.ToAsyncEnumerable());

        var byId = trajectories.ToDictionary(t => t.Id);
        var replansById = replans.ToDictionary(r => r.Id);
        var counts = new Dictionary<AgentRole, int>();
        foreach (var (role, path) in files)
        {
            var builders = new ExampleBuilders(new ExamplePageOptions { Profile = profile });
            await foreach (var example in TrainingRecords.ReadAsync(path, builders, new ProblemLog()))
            {
                Assert.Equal(role, DatasetExporter.RoleOf(example));
                var exported = DatasetExporter.Messages(example, withReasoning: true, profile);
                Assert.Empty(ExampleValidator.Validate(example with { Messages = exported.ToEquatableList() }));

                var trajectory = byId[example.Source.Trajectory ?? example.Source.Plan!];
                var step = example.Source.Step ?? 0;
                var (state, answer) = role switch
                {
                    AgentRole.Planner => ((AgentState)new PlannerState(trajectory.Task, trajectory.InitialHtml), PlanText(plans.Single(p => p.Id == trajectory.Id).Plan)),
                    AgentRole.Replanner => (ReplannerState(trajectory, replansById[trajectory.Id], step), PlanText(replansById[trajectory.Id].PlanBefore(step))),
                    _ => (ExecutorState(trajectory, role, step, role == AgentRole.Executor ? _ => plans.Single(p => p.Id == trajectory.Id).Plan : replansById[trajectory.Id].PlanBefore), ActionPrinter.Print(trajectory.Steps[step].Action)),
                };

                var json = AgentStateJson.Write(state).ToJsonString();
                var rebuilt = profile.Prompt(AgentStateJson.Read(role, json, "state"));
                Assert.Equal(exported.Take(exported.Count - 1), rebuilt.Messages);

                var parsed = profile.Parse(role, exported[^1].Content);
                Assert.Equal(answer, parsed.Answer);
                Assert.Equal(example.Reasoning?.Trim(), parsed.Reasoning);
                counts[role] = counts.GetValueOrDefault(role) + 1;
            }

            Assert.Empty(builders.Refusals.Refused);
        }

        var steps = trajectories.Sum(t => t.Steps.Count);
        Assert.Equal(trajectories.Count, counts[AgentRole.Planner]);
        Assert.Equal(steps, counts[AgentRole.Executor]);
        Assert.Equal(steps, counts[AgentRole.DynamicExecutor]);
        Assert.Equal(steps - trajectories.Count, counts[AgentRole.Replanner]);
    }

    /// <summary>The executor's state before step <paramref name="step"/>: earlier pages, actions and reasoning, and the plan in force at each.</summary>
    private static ExecutorState ExecutorState(Trajectory trajectory, AgentRole role, int step, Func<int, Plan> planAt) =>
        new(
            trajectory.Task,
            PlanText(planAt(step)),
            trajectory.Steps.Take(step).Select(s => new ExecutorRound(s.Html, ActionPrinter.Print(s.Action), Reasoning(trajectory, s.Index), role == AgentRole.DynamicExecutor ? PlanText(planAt(s.Index)) : null)).ToEquatableList(),
            trajectory.Steps[step].Html,
            role == AgentRole.DynamicExecutor)
        {
            TargetElement = trajectory.Steps[step].Action.Element,
        };

    /// <summary>The replanner's state at round <paramref name="round"/>: the plans written so far and the actions taken.</summary>
    private static ReplannerState ReplannerState(Trajectory trajectory, ReplanRecord record, int round) =>
        new(trajectory.Task, PlanText(record.PlanBefore(round - 1)), trajectory.Steps.Take(round).Select(s => ActionPrinter.Print(s.Action)).ToEquatableList(), trajectory.Steps[round].Html)
        {
            Plans = Enumerable.Range(0, round).Select(k => PlanText(record.PlanBefore(k))).ToEquatableList(),
        };
}
