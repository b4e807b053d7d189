using PlanAct.Loopback;
using PlanAct.Tests.Cli;

namespace PlanAct.Tests.Viewing;

public class ScratchRunTests
{
    [Fact]
    public async Task Scratch_run()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, n) =>
            ScriptedPipeline.IsAnnotate(r) && (ScriptedPlans.Prompt(r).Contains("makeup sets", StringComparison.Ordinal) || (n % 5 == 0 && !ScriptedPlans.IsReask(r))) ? new LoopbackReply.Answer(ScriptedPlans.BrokenPartition(ScriptedPlans.ActionCount(r))) : ScriptedPipeline.Answer(r));
        var run = "/tmp/viewrun";
        if (Directory.Exists(run)) Directory.Delete(run, true);
        var result = await PlanactProcess.RunAsync(
            new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test" },
            "run", "--run-dir", run, "--base-url", teacher.BaseUrl.ToString(), "--model", "gpt-4o-mini");
        Assert.True(result.ExitCode is 0 or 4, result.Stderr);
    }
}
