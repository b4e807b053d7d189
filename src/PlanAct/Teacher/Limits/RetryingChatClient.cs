using System.ClientModel;
using System.Globalization;
using Microsoft.Extensions.AI;

namespace PlanAct.Teacher.Limits;

/// <summary>
/// The single retry layer. A 429 pauses every caller sharing this client until its Retry-After has passed (a shared
/// cool-down, so a rate-limited account is not hammered by the other workers); 5xx, connection errors and timeouts
/// back off exponentially with jitter. An answer cut by the length limit or a content filter is a failure, not retried
/// here: the stage decides whether to ask again.
/// </summary>
internal sealed class RetryingChatClient(IChatClient inner, RetryPolicy policy, TimeProvider? time = null, Random? random = null) : DelegatingChatClient(inner)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Random _random = random ?? Random.Shared;
    private long _coolDownUntilTicks;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        for (var attempt = 1; ; attempt++)
        {
            await WaitForCoolDownAsync(cancellationToken);
            TimeSpan delay;
            try
            {
                var response = await base.GetResponseAsync(list, options, cancellationToken);
                if (TeacherAnswer.Unusable(response) is { } reason)
                {
                    throw new TeacherFailureException(reason);
                }

                return response;
            }
            catch (ClientResultException e) when (e.Status == 429 && attempt < policy.MaxAttempts)
            {
                delay = RetryAfter(e) ?? policy.Backoff(attempt, _random);
                CoolDown(delay);
                continue;
            }
            catch (Exception e) when (IsTransient(e, cancellationToken) && attempt < policy.MaxAttempts)
            {
                delay = policy.Backoff(attempt, _random);
            }
            catch (Exception e) when (IsTransient(e, cancellationToken) || e is ClientResultException { Status: 429 })
            {
                throw new TeacherFailureException($"the teacher failed {policy.MaxAttempts} times; last: {Describe(e)}", e);
            }

            await Task.Delay(delay, _time, cancellationToken);
        }
    }

    /// <summary>Errors worth asking again for (server errors, timeouts, dropped connections); 429 is handled apart.</summary>
    internal static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        ClientResultException { Status: >= 500 or 408 or 0 } => true,
        HttpRequestException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    /// <summary>The error without anything the SDK might echo of the request (a key never appears in a status line).</summary>
    private static string Describe(Exception e) => e switch
    {
        ClientResultException c => $"HTTP {c.Status}",
        OperationCanceledException => "timed out",
        _ => e.GetType().Name,
    };

    private static TimeSpan? RetryAfter(ClientResultException e)
    {
        var headers = e.GetRawResponse()?.Headers;
        if (headers is null || !headers.TryGetValue("Retry-After", out var value) || value is null)
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Max(0, seconds));
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date - DateTimeOffset.UtcNow
            : null;
    }

    private void CoolDown(TimeSpan delay)
    {
        var until = _time.GetUtcNow().Add(delay).UtcTicks;
        long current;
        while ((current = Interlocked.Read(ref _coolDownUntilTicks)) < until
               && Interlocked.CompareExchange(ref _coolDownUntilTicks, until, current) != current)
        {
        }
    }

    private async Task WaitForCoolDownAsync(CancellationToken cancellationToken)
    {
        var wait = Interlocked.Read(ref _coolDownUntilTicks) - _time.GetUtcNow().UtcTicks;
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromTicks(wait), _time, cancellationToken);
        }
    }
}
