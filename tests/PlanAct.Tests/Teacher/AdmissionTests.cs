using Microsoft.Extensions.AI;
using PlanAct.IO;
using PlanAct.Loopback;
using PlanAct.Teacher;

namespace PlanAct.Tests.Teacher;

/// <summary>A session holds its requests until the pipeline's input check has passed, and fails them with its error.</summary>
public class AdmissionTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(1);

    private static Task<ChatResponse> Ask(TeacherSession session, string question) =>
        session.ClientFor("annotate").GetResponseAsync([new ChatMessage(ChatRole.User, question)], new TeacherRequest("annotate", question, 0).ApplyTo(new ChatOptions { Temperature = 0 }));

    [Fact]
    public async Task Requests_wait_for_the_admission_and_fail_with_its_error_until_admitted_again()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((r, _) => new LoopbackReply.Answer($"answer to {r.LastUserMessage}"));
        var dir = TestPaths.TempDir();
        await using var session = await TeacherSession.OpenAsync(new TeacherOptions { BaseUrl = teacher.BaseUrl, ApiKey = "sk-test", Model = "loopback-model", LedgerPath = Path.Combine(dir, "ledger.db") });
        var check = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        session.AdmitAfter(check.Task);

        var held = Ask(session, "first");
        await Task.Delay(300);
        Assert.False(held.IsCompleted);
        Assert.Empty(teacher.Received);

        check.SetResult();
        Assert.Equal("answer to first", (await held.WaitAsync(Bound)).Text);
        Assert.Single(teacher.Received);

        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        session.AdmitAfter(failed.Task);
        var refused = Ask(session, "second");
        failed.SetException(new InputException(new SourceLocation("trajectories.jsonl", 3), "not JSON"));

        Assert.Equal(3, (await Assert.ThrowsAsync<InputException>(() => refused.WaitAsync(Bound))).Location.Line);
        Assert.Single(teacher.Received);

        session.AdmitAfter(Task.CompletedTask);
        Assert.Equal("answer to second", (await Ask(session, "second").WaitAsync(Bound)).Text);
    }
}
