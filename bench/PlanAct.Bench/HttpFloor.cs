using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.AI;
using PlanAct.Teacher;

namespace PlanAct.Bench;

/// <summary>What a bare HTTP client reached at one level of the <c>teacher</c> benchmark.</summary>
internal sealed record FloorLevelResult(int Requests, TimeSpan Wall, TimeSpan ClientCpu)
{
    public double RequestsPerSecond => Requests / Wall.TotalSeconds;

    public double ClientCpuMsPerRequest => ClientCpu.TotalMilliseconds / Requests;
}

/// <summary>
/// The machine's ceiling for the <c>teacher</c> benchmark: the same loopback teacher asked by a bare
/// <see cref="HttpClient"/> that posts ready-made request bodies and reads each answer whole, with no prompt to build,
/// no ledger, limits or SDK. What it reaches at a level is the most any client can reach on this machine with the
/// teacher sharing its cores; the stack's share of the ideal is to be read against it.
/// </summary>
internal sealed class HttpFloor(Uri baseUrl, IReadOnlyList<byte[]> bodies) : IDisposable
{
    private readonly HttpClient _http = new();

    private readonly Uri _completions = new($"{baseUrl.AbsoluteUri.TrimEnd('/')}/chat/completions");

    /// <summary>Request bodies as the OpenAI SDK writes them for <paramref name="conversations"/>: model, messages, temperature.</summary>
    public static IReadOnlyList<byte[]> Bodies(string model, IEnumerable<IReadOnlyList<ChatMessage>> conversations) =>
    [
        .. conversations.Select(messages =>
        {
            using var stream = new MemoryStream();
            using (var json = new Utf8JsonWriter(stream))
            {
                json.WriteStartObject();
                json.WriteString("model", model);
                json.WriteMessages(messages);
                json.WriteNumber("temperature", 0);
                json.WriteEndObject();
            }

            return stream.ToArray();
        }),
    ];

    /// <summary>Sends <paramref name="requests"/> requests, <paramref name="concurrency"/> at a time, each as soon as a slot is free.</summary>
    public async Task<FloorLevelResult> RunAsync(int concurrency, int requests, CancellationToken cancellationToken)
    {
        var next = -1;
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int request;
            while ((request = Interlocked.Increment(ref next)) < requests)
            {
                using var content = new ByteArrayContent(bodies[request % bodies.Count]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var message = new HttpRequestMessage(HttpMethod.Post, _completions) { Content = content };
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "bench");
                using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
                response.EnsureSuccessStatusCode();
            }
        }, cancellationToken)));
        clock.Stop();
        self.Refresh();
        return new FloorLevelResult(requests, clock.Elapsed, self.TotalProcessorTime - cpu);
    }

    public void Dispose() => _http.Dispose();
}
