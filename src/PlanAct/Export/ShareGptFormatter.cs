using PlanAct.Training;

namespace PlanAct.Export;

/// <summary>
/// ShareGPT as LLaMA-Factory reads it (<c>"formatting": "sharegpt"</c> with its default tags):
/// <c>{"conversations": [{"from": "system"|"human"|"gpt", "value": …}, …]}</c>. A system message may only come first
/// (LLaMA-Factory takes it as the system prompt); then <c>human</c> and <c>gpt</c> alternate and <c>gpt</c> ends.
/// </summary>
public sealed class ShareGptFormatter : IExampleFormatter
{
    public string Name => "sharegpt";

    public string FormatLine(IReadOnlyList<ExampleMessage> messages) => ExampleFormatters.JsonObject(json =>
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
    });
}
