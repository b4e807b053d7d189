using System.CommandLine;
using Microsoft.Extensions.AI;
using PlanAct.Cli;
using PlanAct.Inspection;
using PlanAct.IO;
using PlanAct.Pipeline;
using PlanAct.Stages;
using PlanAct.Stages.Catalogue;
using PlanAct.Teacher;
using PlanAct.Trajectories;

namespace PlanAct.Tests.Catalogue;

/// <summary>A stage is one definition: registering a toy stage makes its command, its batch subcommands and its pipeline node.</summary>
public class ToyStageTests
{
    /// <summary>A toy teacher stage: asks the teacher to shout each trajectory's task back.</summary>
    private sealed class ToyDefinition : StageDefinition
    {
        public override string Name => "toy";

        public override int Rank => 90;

        public override string Description => "Ask the teacher to repeat every task.";

        public override IReadOnlyList<string> Examples => ["planact toy --input samples/trajectories.jsonl --out toy.jsonl --model gpt-4o-mini"];

        public override IReadOnlyList<StageInput> Inputs => [StageInput.Trajectories("Trajectories.")];

        public override StageOutput Output => new("The echoes (JSONL).", options => options.Bool("shout") ? "toy.loud.jsonl" : "toy.jsonl", null);

        public override IReadOnlyList<StageOption> Options =>
        [
            new("shout", StageOptionType.Bool, "Ask for capitals.") { Default = false },
            new("repeats", StageOptionType.Int, "How often to repeat the task.") { Default = 2 },
        ];

        public override string InvalidItems => "trajectories";

        public override string ExpectedRequests(RunInput input, StageOptionValues options) => $"{input.Trajectories} requests";

        public override Task<StageJob> OpenAsync(StageSetup setup, CancellationToken cancellationToken)
        {
            var input = setup.Inputs["--input"];
            return Task.FromResult<StageJob>(new ItemStageJob<Trajectory, string>(
                _ => new EchoStage(setup.Options.Int("repeats")),
                () => TrajectoryFiles.ReadAsync(input, setup.TrajectoryOptions, cancellationToken),
                setup.OutPath,
                setup.Shard,
                null));
        }
    }

    private sealed class EchoStage(int repeats) : ITeacherStage<Trajectory, string>
    {
        public string Name => "toy";

        public string IdOf(Trajectory item) => item.Id;

        public string Format(string output) => output;

        public string IdOfRecord(string line, SourceLocation location) => IdLines.IdOf(line, location);

        public async Task<ItemResult<string>> ProcessAsync(Trajectory item, TeacherDialog teacher, CancellationToken cancellationToken)
        {
            var outcome = await teacher.AskAsync(item.Id, [new ChatMessage(ChatRole.User, $"Repeat {repeats} times: {item.Task}")], reply => Checked<string>.Ok(reply.Text), cancellationToken);
            return outcome is TeacherOutcome<string>.Accepted accepted
                ? new ItemResult<string>.Done($"{{\"id\":\"{item.Id}\",\"echo\":\"{accepted.Value}\"}}")
                : new ItemResult<string>.Quarantined("no echo", outcome.Rejected);
        }
    }

    private static readonly StageCatalogue WithToy = StageCatalogue.Default.With(new ToyDefinition());

    [Fact]
    public void The_toy_stage_gets_a_command_batch_subcommands_and_a_pipeline_node()
    {
        var root = Program.BuildRoot(WithToy);
        var toy = Assert.Single(root.Subcommands, c => c.Name == "toy");
        Assert.Equal(["--input", "--out", "--shout", "--repeats"], toy.Options.Take(4).Select(o => o.Name));
        Assert.Contains("[default: 2]", Help(root, "toy"), StringComparison.Ordinal);
        var batch = Assert.Single(root.Subcommands, c => c.Name == "batch");
        Assert.Contains(batch.Subcommands.Single(c => c.Name == "prepare").Subcommands, c => c.Name == "toy");
        Assert.Contains(batch.Subcommands.Single(c => c.Name == "submit").Subcommands, c => c.Name == "toy");
        Assert.DoesNotContain(Program.BuildRoot().Subcommands, c => c.Name == "toy");

        var node = PipelineRegistry.Of(WithToy).Find("toy");
        Assert.NotNull(node);
        Assert.Empty(node.Requires);
        var options = new StageOptions("pipeline.yaml", "toy", new Dictionary<string, object?> { ["repeats"] = "3" });
        Assert.Equal("17 requests", node.ExpectedRequests(new RunInput(17, 115, new Dictionary<string, int>(), Distribution.Of([])), options));
        var unknown = Assert.Throws<InputException>(() => node.Check(new StageOptions("pipeline.yaml", "toy", new Dictionary<string, object?> { ["loud"] = "true" })));
        Assert.Contains("stages.toy.options.loud: unknown option (known: shout, repeats)", unknown.Message, StringComparison.Ordinal);
        Assert.Throws<InputException>(() => node.Check(new StageOptions("pipeline.yaml", "toy", new Dictionary<string, object?> { ["repeats"] = "0" })));
    }

    [Fact]
    public async Task The_toy_command_runs_a_dry_run_and_its_pipeline_node_runs_in_a_pipeline()
    {
        var dir = TestPaths.TempDir();
        var trajectories = Path.Combine(TestPaths.Samples, "trajectories.jsonl");
        var bad = await Program.BuildRoot(WithToy).Parse(["toy", "--input", trajectories, "--out", Path.Combine(dir, "toy.jsonl"), "--repeats", "-1"]).InvokeAsync();
        Assert.NotEqual(0, bad);

        var pipelineFile = Path.Combine(dir, "pipeline.yaml");
        await File.WriteAllTextAsync(pipelineFile, $"name: toy\ninputs:\n  trajectories: {trajectories}\nrun_dir: {Path.Combine(dir, "run")}\nstages:\n  toy: {{ options: {{ shout: true }} }}\n");
        var pipeline = PipelineDefinition.Load(pipelineFile);
        await using var session = await TeacherSession.OpenAsync(new TeacherOptions { LedgerPath = Path.Combine(dir, "ledger.db") });
        var result = await PipelineRunner.RunAsync(pipeline, session, new PipelineRunOptions { Mode = TeacherMode.DryRun }, PipelineRegistry.Of(WithToy));
        var toy = Assert.Single(result.Stages);
        Assert.Equal(NodeStatus.Waiting, toy.Status);
        Assert.Equal(17, toy.Run!.Pending.Count);
        Assert.EndsWith("toy.loud.jsonl", toy.Outputs[0].Path, StringComparison.Ordinal);
    }

    private static string Help(RootCommand root, params string[] command)
    {
        var output = new StringWriter();
        root.Parse([.. command, "--help"], new ParserConfiguration()).Invoke(new InvocationConfiguration { Output = output });
        return output.ToString();
    }
}
