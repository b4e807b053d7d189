using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using PlanAct.IO;
using PlanAct.Training;

namespace PlanAct.Export;

/// <summary>
/// ShareGPT as LLaMA-Factory reads it (<c>"formatting": "sharegpt"</c> with its default tags):
/// <c>{"conversations": [{"from": "system"|"human"|"gpt", "value": …}, …]}</c>. A system message may only come first
/// (LLaMA-Factory takes it as the system prompt); then <c>human</c> and <c>gpt</c> alternate and <c>gpt</c> ends.
/// Beside the file, <c>dataset_info.json</c> gets the file's entry (an existing one keeps its other entries).
/// </summary>
internal sealed class ShareGptFormatter : IExampleFormatter
{
    public const string DatasetInfo = "dataset_info.json";

    // One registration at a time in this process: export writes several files side by side, each reading the file,
    // adding its entry and writing it back.
    private static readonly SemaphoreSlim Registering = new(1, 1);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public string Name => "sharegpt";

    public void WriteMembers(Utf8JsonWriter json, IReadOnlyList<ExampleMessage> messages)
    {
        json.WriteStartArray("conversations");
        foreach (var message in messages)
        {
            json.WriteStartObject();
            json.WriteString("from", message.Role switch
            {
                MessageRole.System => "system",
                MessageRole.User => "human",
                _ => "gpt",
            });
            json.WriteString("value", message.Content);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>Names the file in the <c>dataset_info.json</c> beside it.</summary>
    public Task CompleteAsync(string path, CancellationToken cancellationToken) => RegisterAsync(path, cancellationToken);

    /// <summary>The dataset's name in <c>dataset_info.json</c>: the file name without its extension.</summary>
    public static string DatasetName(string path) => Path.GetFileNameWithoutExtension(path);

    /// <summary>Adds or replaces the file's entry in the <c>dataset_info.json</c> beside it, keeping every other entry.</summary>
    /// <exception cref="InputException">An existing <c>dataset_info.json</c> is not a JSON object.</exception>
    public static async Task RegisterAsync(string path, CancellationToken cancellationToken = default)
    {
        await Registering.WaitAsync(cancellationToken);
        try
        {
            await RegisterOneAsync(path, cancellationToken);
        }
        finally
        {
            Registering.Release();
        }
    }

    private static async Task RegisterOneAsync(string path, CancellationToken cancellationToken)
    {
        var infoPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, DatasetInfo);
        JsonObject info;
        if (File.Exists(infoPath))
        {
            try
            {
                info = JsonNode.Parse(await File.ReadAllTextAsync(infoPath, cancellationToken)) as JsonObject
                    ?? throw new InputException(new SourceLocation(infoPath), "not a JSON object; left as it is");
            }
            catch (JsonException e)
            {
                throw new InputException(new SourceLocation(infoPath, (int?)e.LineNumber + 1), $"malformed JSON ({e.Message}); left as it is", e);
            }
        }
        else
        {
            info = [];
        }

        info[DatasetName(path)] = new JsonObject
        {
            ["file_name"] = Path.GetFileName(path),
            ["formatting"] = "sharegpt",
            ["columns"] = new JsonObject { ["messages"] = "conversations" },
            ["tags"] = new JsonObject
            {
                ["role_tag"] = "from",
                ["content_tag"] = "value",
                ["user_tag"] = "human",
                ["assistant_tag"] = "gpt",
                ["system_tag"] = "system",
            },
        };
        await AtomicFile.WriteAllTextAsync(infoPath, info.ToJsonString(Indented) + "\n", cancellationToken);
    }

    public string TrainerSnippet(string output) => $$"""
        LLaMA-Factory: `{{DatasetInfo}}` beside the file names it `{{DatasetName(output)}}`. In the training YAML (LLaMA-Factory trains the last `gpt` turn of each example only when `mask_history: true`):

        ```yaml
        stage: sft
        do_train: true
        dataset: {{DatasetName(output)}}
        dataset_dir: .            # the folder of {{DatasetInfo}}
        template: qwen
        mask_history: true
        finetuning_type: lora
        ```
        """;
}
