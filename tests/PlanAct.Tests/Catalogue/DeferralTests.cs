using System.Text.Json;
using Microsoft.Extensions.AI;
using PlanAct.IO;
using PlanAct.Stages;
using PlanAct.Teacher;
using PlanAct.Trajectories;

namespace PlanAct.Tests.Catalogue;

/// <summary>Deferral is the runner's to see: a stage that swallows every exception cannot finish an item whose request waits.</summary>
public class DeferralTests
{
    /// <summary>Catches everything, as a careless stage might, and quarantines the item instead.</summary>
    private sealed class SwallowingStage : ITeacherStage<Trajectory, string>
    {
        public string Name => "swallow";

        public string IdOf(Trajectory item) => item.Id;

        public string Format(string output) => output;

        public string IdOfRecord(string line, SourceLocation location) => IdLines.IdOf(line, location);

        public async Task<ItemResult<string>> ProcessAsync(Trajectory item, TeacherDialog teacher, CancellationToken cancellationToken)
        {
            try
            {
                await teacher.AskAsync(item.Id, [new ChatMessage(ChatRole.User, item.Task)], reply => Checked<string>.Ok(reply.Text), cancellationToken);
                return new ItemResult<string>.Done(JsonSerializer.Serialize(new { id = item.Id }));
            }
#pragma warning disable CA1031 // The point of the test: a stage that catches everything.
            catch (Exception e)
#pragma warning restore CA1031
            {
                return new ItemResult<string>.Quarantined(e.Message, []);
            }
        }
    }

    [Fact]
    public async Task An_item_whose_request_was_held_back_waits_whatever_the_stage_returned()
    {
        var dir = TestPaths.TempDir();
        await using var session = await TeacherSession.OpenAsync(new TeacherOptions { LedgerPath = Path.Combine(dir, "ledger.db") });
        var summary = await new StageRunner<Trajectory, string>(new SwallowingStage(), session).RunAsync(
            () => TrajectoryFiles.ReadAsync(Path.Combine(TestPaths.Samples, "trajectories.jsonl"), new TrajectoryReadOptions()),
            Path.Combine(dir, "out.jsonl"),
            TeacherMode.DryRun);

        Assert.Equal(17, summary.Total);
        Assert.Equal(0, summary.Quarantined);
        Assert.Equal(17, summary.Pending.Count);
        Assert.False(summary.Complete);
    }
}
