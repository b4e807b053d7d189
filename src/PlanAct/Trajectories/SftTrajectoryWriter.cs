using System.Text.Encodings.Web;
using System.Text.Json;
using PlanAct.Actions;
using PlanAct.IO;

namespace PlanAct.Trajectories;

/// <summary>Writes trajectories as a WebArena-Lite SFT array in WebRL's exact prompt layout (SPEC §1.3).</summary>
internal static class SftTrajectoryWriter
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The human prompt of step <paramref name="round"/>: earlier pages collapsed, round 0's user turn the task itself.</summary>
    public static SftPrompt PromptFor(Trajectory trajectory, int round) =>
        new(trajectory.Task,
            [.. trajectory.Steps.Take(round).Select(s => new SftRound(s.Index == 0 ? trajectory.Task : SftPrompt.HtmlPlaceholder, ActionPrinter.Print(s.Action)))],
            trajectory.Steps[round].Html);

    public static async Task<int> WriteAsync(
        string path, IAsyncEnumerable<Trajectory> trajectories, bool headerTokens = true, CancellationToken cancellationToken = default)
    {
        var count = 0;
        await AtomicFile.WriteAsync(path, async stream =>
        {
            await using var json = new Utf8JsonWriter(stream, WriterOptions);
            json.WriteStartArray();
            await foreach (var trajectory in trajectories.WithCancellation(cancellationToken))
            {
                for (var round = 0; round < trajectory.Steps.Count; round++)
                {
                    json.WriteStartObject();
                    json.WriteStartArray("conversations");
                    WriteTurn(json, "human", PromptFor(trajectory, round).Format(headerTokens));
                    WriteTurn(json, "gpt", ActionPrinter.Print(trajectory.Steps[round].Action));
                    json.WriteEndArray();
                    json.WriteEndObject();
                    if (json.BytesPending > 1 << 20)
                    {
                        await json.FlushAsync(cancellationToken);
                    }
                }

                count++;
            }

            json.WriteEndArray();
            await json.FlushAsync(cancellationToken);
        }, cancellationToken);
        return count;
    }

    private static void WriteTurn(Utf8JsonWriter json, string from, string value)
    {
        json.WriteStartObject();
        json.WriteString("from", from);
        json.WriteString("value", value);
        json.WriteEndObject();
    }
}
