using System.Text.Json;
using PlanAct.Training;

namespace PlanAct.Export;

/// <summary>
/// OpenAI chat fine-tuning JSONL: <c>{"messages": [{"role": …, "content": …}, …]}</c>, the assistant target last.
/// OpenAI trains every assistant message of an example, so each assistant turn before the target carries
/// <c>"weight": 0</c> (the history is context, not something to learn twice) unless <paramref name="trainEarlierTurns"/>.
/// </summary>
/// <param name="trainEarlierTurns">Leave out the weights: every assistant turn is trained.</param>
internal sealed class OpenAiChatFormatter(bool trainEarlierTurns = false) : IExampleFormatter
{
    public string Name => "openai-chat";

    public bool TrainEarlierTurns => trainEarlierTurns;

    public void WriteMembers(Utf8JsonWriter json, IReadOnlyList<ExampleMessage> messages) =>
        ExampleFormatters.WriteMessages(json, "messages", messages, i => !trainEarlierTurns && messages[i].Role == MessageRole.Assistant && i < messages.Count - 1);

    public string TrainerSnippet(string output) => $$"""
        OpenAI fine-tuning ({{(trainEarlierTurns ? "every assistant turn is trained" : "only the last assistant turn is trained: earlier ones carry `\"weight\": 0`")}}):

        ```python
        from openai import OpenAI
        client = OpenAI()
        upload = client.files.create(file=open("{{Path.GetFileName(output)}}", "rb"), purpose="fine-tune")
        client.fine_tuning.jobs.create(training_file=upload.id, model="gpt-4.1-mini-2025-04-14")
        ```

        Axolotl reads the same file (`chat_template`, the weights as each turn's training flag):

        ```yaml
        datasets:
          - path: {{Path.GetFileName(output)}}
            type: chat_template
            field_messages: messages
            roles_to_train: ["assistant"]
            message_field_training: weight
        ```
        """;
}
