using Microsoft.Extensions.AI;
using PlanAct.Loopback;
using PlanAct.Teacher;
using PlanAct.Teacher.Limits;

namespace PlanAct.Tests.Teacher;

/// <summary>The retry layer over the real OpenAI SDK against the loopback teacher's faults.</summary>
public class RetryTests
{
    private static readonly RetryPolicy Fast = new() { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) };

    private static IChatClient Client(LoopbackTeacher teacher, RetryPolicy? policy = null, TimeSpan? timeout = null) =>
        new RetryingChatClient(
            TeacherClientFactory.CreateProviderClient(new TeacherOptions { BaseUrl = teacher.BaseUrl, Model = "m", Timeout = timeout ?? TimeSpan.FromSeconds(30) }),
            policy ?? Fast);

    private static Task<ChatResponse> Ask(IChatClient client) => client.GetResponseAsync([new ChatMessage(ChatRole.User, "q")]);

    [Fact]
    public async Task A_429_waits_for_its_retry_after_then_succeeds()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((_, call) => call == 0 ? new LoopbackReply.Status(429, RetryAfterSeconds: 1) : new LoopbackReply.Answer("ok"));
        var started = DateTimeOffset.UtcNow;
        var response = await Ask(Client(teacher));
        Assert.Equal("ok", response.Text);
        Assert.Equal(2, teacher.Calls);
        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromSeconds(0.9), "the Retry-After of 1 s was not honoured");
    }

    [Fact]
    public async Task A_429_pauses_the_other_callers_too()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((_, call) => call == 0 ? new LoopbackReply.Status(429, RetryAfterSeconds: 1) : new LoopbackReply.Answer("ok"));
        // The others start only once the first caller has set the shared cool-down (its first timer is the wait for
        // it): waiting for the teacher to have sent the 429 is not enough on a loaded machine.
        var time = new FirstTimerSignal();
        var client = new RetryingChatClient(TeacherClientFactory.CreateProviderClient(new TeacherOptions { BaseUrl = teacher.BaseUrl, Model = "m" }), Fast, time);
        var first = Ask(client);
        await time.TimerCreated.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.WhenAll(first, Ask(client), Ask(client));
        var received = teacher.Received.ToArray();
        Assert.Equal(4, received.Length);
        Assert.All(received.Skip(1), r => Assert.True(r.At - received[0].At >= TimeSpan.FromSeconds(0.9), "a caller did not wait out the shared cool-down"));
    }

    [Fact]
    public async Task Server_errors_back_off_and_the_sdk_does_not_retry_underneath()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((_, call) => call < 2 ? new LoopbackReply.Status(500) : new LoopbackReply.Answer("ok"));
        Assert.Equal("ok", (await Ask(Client(teacher))).Text);
        Assert.Equal(3, teacher.Calls);
    }

    [Fact]
    public async Task Retries_run_out_with_a_clear_failure()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((_, _) => new LoopbackReply.Status(503));
        var e = await Assert.ThrowsAsync<TeacherFailureException>(() => Ask(Client(teacher)));
        Assert.Equal("the teacher failed 3 times; last: HTTP 503", e.Message);
        Assert.Equal(3, teacher.Calls);
    }

    [Fact]
    public async Task Cut_and_filtered_answers_are_failures()
    {
        await using var cut = await LoopbackTeacher.StartAsync((_, _) => new LoopbackReply.Answer("## Step 1\nReaso", FinishReason: "length"));
        Assert.Contains("finish_reason = length", (await Assert.ThrowsAsync<TeacherFailureException>(() => Ask(Client(cut)))).Message, StringComparison.Ordinal);
        Assert.Equal(1, cut.Calls);

        await using var filtered = await LoopbackTeacher.StartAsync((_, _) => new LoopbackReply.Answer("", FinishReason: "content_filter"));
        Assert.Contains("content_filter", (await Assert.ThrowsAsync<TeacherFailureException>(() => Ask(Client(filtered)))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_body_is_not_retried_forever()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((_, _) => new LoopbackReply.Malformed("{\"choices\": [ this is not json"));
        await Assert.ThrowsAnyAsync<Exception>(() => Ask(Client(teacher)));
        Assert.Equal(1, teacher.Calls);
    }

    [Fact]
    public async Task A_hang_past_the_timeout_is_retried()
    {
        await using var teacher = await LoopbackTeacher.StartAsync((_, call) => call == 0 ? new LoopbackReply.Hang(TimeSpan.FromSeconds(5)) : new LoopbackReply.Answer("ok"));
        var response = await Ask(Client(teacher, timeout: TimeSpan.FromMilliseconds(500)));
        Assert.Equal("ok", response.Text);
        Assert.Equal(2, teacher.Calls);
    }

    /// <summary>The system clock, telling the test when the first timer is asked for.</summary>
    private sealed class FirstTimerSignal : TimeProvider
    {
        private readonly TaskCompletionSource _timerCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task TimerCreated => _timerCreated.Task;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _timerCreated.TrySetResult();
            return System.CreateTimer(callback, state, dueTime, period);
        }
    }
}
