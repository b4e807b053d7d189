using PlanAct.Training;

namespace PlanAct.Export;

/// <summary>OpenAI chat fine-tuning JSONL: <c>{"messages": [{"role": …, "content": …}, …]}</c>, the assistant target last.</summary>
public sealed class OpenAiChatFormatter : IExampleFormatter
{
    public string Name => "openai-chat";

    public string FormatLine(IReadOnlyList<ExampleMessage> messages) => ExampleFormatters.JsonObject(json =>
    {
        json.WriteStartArray("messages");
        foreach (var message in messages)
        {
            json.WriteStartObject();
            json.WriteString("role", ExampleNames.Of(message.Role));
            json.WriteString("content", message.Content);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    });
}
