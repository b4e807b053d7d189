using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using PlanAct.Training;

namespace PlanAct.Export;

/// <summary>Writes one example as one JSONL line of a fine-tuning format.</summary>
public interface IExampleFormatter
{
    /// <summary>The format's name on the command line.</summary>
    string Name { get; }

    /// <param name="messages">A valid chat (see <see cref="ExampleValidator"/>): optional system, user/assistant turns, assistant target last.</param>
    string FormatLine(IReadOnlyList<ExampleMessage> messages);
}

/// <summary>The formats <c>planact export</c> knows, and the helpers they share.</summary>
public static class ExampleFormatters
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IReadOnlyList<IExampleFormatter> All { get; } =
        [new OpenAiChatFormatter(), new ShareGptFormatter(), new AlpacaFormatter(), new TorchtuneFormatter()];

    public static IExampleFormatter? ByName(string name) => All.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>One compact JSON object; HTML and non-ASCII text stay readable, quotes and control characters are escaped.</summary>
    internal static string JsonObject(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Folds turns into one text for single-turn formats: a lone turn as it is; several as blocks headed
    /// <c>User:</c> / <c>Assistant:</c> (and <c>System:</c>) on their own line, separated by a blank line.
    /// </summary>
    internal static string Fold(IReadOnlyList<ExampleMessage> turns) =>
        turns.Count == 1
            ? turns[0].Content
            : string.Join("\n\n", turns.Select(t => $"{Label(t.Role)}:\n{t.Content}"));

    private static string Label(MessageRole role) => role switch
    {
        MessageRole.System => "System",
        MessageRole.User => "User",
        _ => "Assistant",
    };
}
