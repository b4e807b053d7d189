using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using PlanAct.IO;
using PlanAct.Training;
using PlanAct.Training.Profiles;

namespace PlanAct.Export;

/// <summary>One example as it is exported: the record, the role it trains and its messages (reasoning placed as asked).</summary>
internal sealed record ExportedExample(TrainingExample Example, AgentRole Role, IReadOnlyList<ExampleMessage> Messages);

/// <summary>What a format wrote: the count, and the YAML front matter its dataset card must start with (Hugging Face folders).</summary>
internal sealed record FormatResult(int Written)
{
    public string? CardFrontMatter { get; init; }

    /// <summary>Of <see cref="Written"/>, the examples in a validation file beside the output (<see cref="SplitFileFormat"/>).</summary>
    public int? ValidationWritten { get; init; }
}

/// <summary>What some formats take: OpenAI chat's weights on earlier turns, the train / validation split.</summary>
/// <param name="TrainEarlierTurns">OpenAI chat: train every assistant turn, not only the target.</param>
/// <param name="Split">The split: a Hugging Face folder's validation split, or a validation file beside a JSONL output.</param>
internal sealed record FormatSettings(bool TrainEarlierTurns = false, ExampleSplit? Split = null);

/// <summary>A fine-tuning format: how examples are written and how a trainer reads them.</summary>
internal interface IExportFormat
{
    /// <summary>The format's name on the command line.</summary>
    string Name { get; }

    /// <summary>The output is a folder (Hugging Face), not a JSONL file.</summary>
    bool WritesFolder => false;

    /// <summary>The output's name for a base name: a JSONL file, or a folder.</summary>
    string OutputName(string baseName) => WritesFolder ? baseName : baseName + ".jsonl";

    /// <summary>Where the dataset card goes when none is named: beside the output, under a name of its own.</summary>
    string DefaultCardPath(string output) => Path.ChangeExtension(Path.GetFullPath(output), ".card.md");

    /// <summary>Writes the examples at <paramref name="path"/> whole or not at all.</summary>
    Task<FormatResult> WriteAsync(string path, IAsyncEnumerable<ExportedExample> examples, CancellationToken cancellationToken);

    /// <summary>The dataset card's section on training with the output: markdown with the trainer's configuration.</summary>
    string TrainerSnippet(string output);
}

/// <summary>A JSONL format: one example a line, a JSON object.</summary>
internal interface IExampleFormatter : IExportFormat
{
    /// <summary>Writes the members of an example's object.</summary>
    /// <param name="json">Inside the object.</param>
    /// <param name="messages">A valid chat (see <see cref="ExampleValidator"/>): optional system, user/assistant turns, assistant target last.</param>
    void WriteMembers(Utf8JsonWriter json, IReadOnlyList<ExampleMessage> messages);

    /// <summary>What the format does once its file is written (ShareGPT names it in <c>dataset_info.json</c>).</summary>
    Task CompleteAsync(string path, CancellationToken cancellationToken) => Task.CompletedTask;

    async Task<FormatResult> IExportFormat.WriteAsync(string path, IAsyncEnumerable<ExportedExample> examples, CancellationToken cancellationToken)
    {
        var written = await ExampleFormatters.WriteLinesAsync(path, examples, this, cancellationToken);
        await CompleteAsync(path, cancellationToken);
        return new FormatResult(written);
    }
}

/// <summary>The formats <c>planact export</c> knows, and the helpers they share.</summary>
internal static class ExampleFormatters
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IReadOnlyList<IExportFormat> All { get; } =
        [new OpenAiChatFormatter(), new ShareGptFormatter(), new AlpacaFormatter(), new TorchtuneFormatter(), new TrlFormatter(), new HuggingFaceFormat()];

    public static IExportFormat? ByName(string name) => All.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The format by name, set up with the settings that apply to it.</summary>
    public static IExportFormat? ByName(string name, FormatSettings settings)
    {
        var format = ByName(name) switch
        {
            OpenAiChatFormatter => new OpenAiChatFormatter(settings.TrainEarlierTurns),
            HuggingFaceFormat => new HuggingFaceFormat(settings.Split),
            var other => other,
        };
        return format is null or HuggingFaceFormat || settings.Split is not { Validation: > 0 } split ? format : new SplitFileFormat(format, split);
    }

    /// <summary>An example's line in <paramref name="format"/>, without its newline.</summary>
    public static string FormatLine(this IExampleFormatter format, IReadOnlyList<ExampleMessage> messages) => JsonObject(json => format.WriteMembers(json, messages));

    /// <summary>Writes each example's line at <paramref name="path"/>, whole or not at all; gives the count.</summary>
    internal static async Task<int> WriteLinesAsync(string path, IAsyncEnumerable<ExportedExample> examples, IExampleFormatter format, CancellationToken cancellationToken)
    {
        var count = 0;
        await AtomicFile.WriteAsync(path, async stream =>
        {
            var line = new ArrayBufferWriter<byte>(1 << 16);
            await using var json = new Utf8JsonWriter(line, WriterOptions);
            await foreach (var example in examples.WithCancellation(cancellationToken))
            {
                WriteLine(json, line, format, example.Messages);
                await stream.WriteAsync(line.WrittenMemory, cancellationToken);
                count++;
            }
        }, cancellationToken);
        return count;
    }

    /// <summary>A writer for <see cref="WriteLine"/>, into <paramref name="line"/>.</summary>
    internal static Utf8JsonWriter LineWriter(ArrayBufferWriter<byte> line) => new(line, WriterOptions);

    /// <summary>
    /// An example's line in <paramref name="format"/>, its newline included, as UTF-8 in <paramref name="line"/> (emptied
    /// first; <paramref name="json"/> writes there): no string of the line is made, the buffer is used again.
    /// </summary>
    internal static void WriteLine(Utf8JsonWriter json, ArrayBufferWriter<byte> line, IExampleFormatter format, IReadOnlyList<ExampleMessage> messages)
    {
        line.ResetWrittenCount();
        json.Reset();
        json.WriteStartObject();
        format.WriteMembers(json, messages);
        json.WriteEndObject();
        json.Flush();
        line.Write("\n"u8);
    }

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

    /// <summary>Writes <c>"name": [{"role", "content"}, …]</c>; <paramref name="unweighted"/> marks the messages to write with <c>"weight": 0</c>.</summary>
    internal static void WriteMessages(Utf8JsonWriter json, string name, IReadOnlyList<ExampleMessage> messages, Func<int, bool>? unweighted = null)
    {
        json.WriteStartArray(name);
        for (var i = 0; i < messages.Count; i++)
        {
            json.WriteStartObject();
            json.WriteString("role", ExampleNames.Of(messages[i].Role));
            json.WriteString("content", messages[i].Content);
            if (unweighted?.Invoke(i) == true)
            {
                json.WriteNumber("weight", 0);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
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
